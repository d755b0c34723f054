/**
 * The demo's own sample operator (a flat bundle: package, CSV, CRD), written
 * for this project. The embedded demo serves it as a Koji build, and
 * examples/sample-operator.zip holds the same files for zip uploads.
 */
export const SAMPLE_NVR = 'hello-operator-container-1.0.0-1';

const PACKAGE = `# The package file: one channel, pointing at the CSV below.
packageName: hello-operator
channels:
  - name: stable
    currentCSV: hello-operator.v1.0.0
defaultChannel: stable
`;

const CRD = `apiVersion: apiextensions.k8s.io/v1beta1
kind: CustomResourceDefinition
metadata:
  name: greetings.hello.example.com
spec:
  group: hello.example.com
  scope: Namespaced
  names:
    kind: Greeting
    listKind: GreetingList
    plural: greetings
    singular: greeting
  version: v1alpha1
  versions:
    - name: v1alpha1
      served: true
      storage: true
`;

const CSV = `apiVersion: operators.coreos.com/v1alpha1
kind: ClusterServiceVersion
metadata:
  name: hello-operator.v1.0.0
  namespace: placeholder
  annotations:
    alm-examples: '[{"apiVersion":"hello.example.com/v1alpha1","kind":"Greeting","metadata":{"name":"world"},"spec":{"message":"Hello, world!"}}]'
    capabilities: Basic Install
    categories: Developer Tools
    certified: "false"
    containerImage: quay.io/example/hello-operator:v1.0.0
    createdAt: "2026-11-26T00:00:00Z"
    description: Greets whoever creates a Greeting.
    repository: https://example.com/hello-operator
    support: Example Team
spec:
  displayName: Hello Operator
  description: |
    The Hello Operator answers every Greeting resource with a friendly message.
    It exists to show how OMPS publishes operator manifests.
  version: 1.0.0
  maturity: alpha
  provider:
    name: Example Team
  maintainers:
    - name: Example Team
      email: team@example.com
  keywords: [hello, example]
  links:
    - name: Source
      url: https://example.com/hello-operator
  icon:
    - base64data: PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAxIDEiLz4=
      mediatype: image/svg+xml
  installModes:
    - type: OwnNamespace
      supported: true
    - type: SingleNamespace
      supported: true
    - type: MultiNamespace
      supported: false
    - type: AllNamespaces
      supported: true
  customresourcedefinitions:
    owned:
      - name: greetings.hello.example.com
        kind: Greeting
        version: v1alpha1
        displayName: Greeting
        description: A greeting to answer.
  install:
    strategy: deployment
    spec:
      permissions:
        - serviceAccountName: hello-operator
          rules:
            - apiGroups: [hello.example.com]
              resources: ['*']
              verbs: ['*']
      deployments:
        - name: hello-operator
          spec:
            replicas: 1
            selector:
              matchLabels:
                name: hello-operator
            template:
              metadata:
                labels:
                  name: hello-operator
              spec:
                serviceAccountName: hello-operator
                containers:
                  - name: hello-operator
                    image: quay.io/example/hello-operator:v1.0.0
`;

/** The sample operator's files, as they sit in its zip. */
export const SAMPLE_OPERATOR_FILES: Readonly<Record<string, string>> = {
  'hello.package.yaml': PACKAGE,
  'hello-operator.v1.0.0.clusterserviceversion.yaml': CSV,
  'greetings.crd.yaml': CRD,
};

/**
 * Object mothers for rendering tests: a registry+v1 bundle of a small
 * "gadget" operator shaped like operator-registry's render test bundles (a CSV
 * owning one CRD, replaces + skips + olm.skipRange, two deployments with init
 * containers, CSV relatedImages, a dependencies file), written for this
 * repository.
 */
import type { FileEntry } from '../../src/domain/files.js';
import { filesOf, type Obj, withValue } from './manifest-builders.js';

export const REG = 'registry.example.com/gadget';

export function gadgetCsv(version = '0.2.0', overrides: Obj = {}): Obj {
  let csv: Obj = {
    apiVersion: 'operators.coreos.com/v1alpha1',
    kind: 'ClusterServiceVersion',
    metadata: { name: `gadget.v${version}`, annotations: { 'olm.skipRange': `<${version}` } },
    spec: {
      displayName: 'Gadget Operator',
      customresourcedefinitions: {
        owned: [{ group: 'test.gadget', version: 'v1', kind: 'Gadget', name: 'gadgets.test.gadget' }],
      },
      version,
      replaces: 'gadget.v0.1.0',
      skips: ['gadget.v0.1.1', 'gadget.v0.1.2'],
      install: {
        strategy: 'deployment',
        spec: {
          deployments: [
            deployment('gadget-operator', `${REG}/gadget-init:v${version}`, `${REG}/gadget:v${version}`),
            deployment(
              'gadget-operator-2',
              `${REG}/gadget-init-2:v${version}`,
              `${REG}/gadget-2:v${version}`,
            ),
          ],
        },
      },
      relatedImages: [
        { name: 'operator', image: `${REG}/gadget:v${version}` },
        { name: 'other', image: `${REG}/gadget-other:v${version}` },
      ],
    },
  };
  for (const [path, value] of Object.entries(overrides)) csv = withValue(csv, path, value);
  return csv;
}

function deployment(name: string, init: string, main: string): Obj {
  return {
    name,
    spec: { template: { spec: { initContainers: [{ image: init }], containers: [{ image: main }] } } },
  };
}

export function gadgetCrd(): Obj {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'gadgets.test.gadget' },
    spec: {
      group: 'test.gadget',
      names: { kind: 'Gadget', plural: 'gadgets' },
      scope: 'Namespaced',
      versions: [{ name: 'v1', served: true, storage: true }],
    },
  };
}

/** Exactly what Go's json.Marshal writes for gadgetCrd(): keys sorted, compact. */
export const GADGET_CRD_JSON =
  '{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"gadgets.test.gadget"},' +
  '"spec":{"group":"test.gadget","names":{"kind":"Gadget","plural":"gadgets"},"scope":"Namespaced",' +
  '"versions":[{"name":"v1","served":true,"storage":true}]}}';

export function gadgetAnnotations(overrides: Record<string, string> = {}): Obj {
  return {
    annotations: {
      'operators.operatorframework.io.bundle.mediatype.v1': 'registry+v1',
      'operators.operatorframework.io.bundle.manifests.v1': 'manifests/',
      'operators.operatorframework.io.bundle.metadata.v1': 'metadata/',
      'operators.operatorframework.io.bundle.package.v1': 'gadget',
      'operators.operatorframework.io.bundle.channels.v1': 'beta,stable',
      'operators.operatorframework.io.bundle.channel.default.v1': 'beta',
      ...overrides,
    },
  };
}

export function gadgetDependencies(): Obj {
  return {
    dependencies: [
      { type: 'olm.package', value: { packageName: 'widget', version: '<0.1.0' } },
      { type: 'olm.gvk', value: { group: 'test.widget', version: 'v1alpha1', kind: 'Widget' } },
    ],
  };
}

/** The bundle folder's files; `extra` adds or replaces files (a `null` removes one). */
export function gadgetBundle(
  options: { csv?: Obj; extra?: Record<string, Obj | string | null> } = {},
): FileEntry[] {
  const files: Record<string, Obj | string | null> = {
    'manifests/gadget.clusterserviceversion.yaml': options.csv ?? gadgetCsv(),
    'manifests/gadgets.test.gadget.crd.yaml': gadgetCrd(),
    'metadata/annotations.yaml': gadgetAnnotations(),
    'metadata/dependencies.yaml': gadgetDependencies(),
    ...options.extra,
  };
  const kept = Object.entries(files).filter((entry): entry is [string, Obj | string] => entry[1] !== null);
  return filesOf(Object.fromEntries(kept));
}

/** `olm.bundle.object`'s value for a JSON text. */
export const bundleObject = (json: string) => ({
  type: 'olm.bundle.object',
  value: { data: Buffer.from(json, 'utf8').toString('base64') },
});

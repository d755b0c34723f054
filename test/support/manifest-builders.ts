/**
 * Object mothers for manifest tests: a valid package, CSV and CRD (valid for
 * every operator-courier rule, with no warnings), helpers to break them one
 * field at a time, and helpers to turn them into bundle files.
 */
import { expect } from 'vitest';
import { stringify } from 'yaml';
import { PackageValidationError, type ValidationInfo } from '../../src/domain/errors.js';
import type { FileEntry } from '../../src/domain/files.js';
import { loadBundle, type PreparedBundle, prepareBundle } from '../../src/domain/manifest/index.js';
import { DEFAULT_POLICY, type OrganizationPolicy } from '../../src/domain/organization-policy.js';
import { MALFORMED_YAML } from '../../src/domain/original-messages.js';
import { readFixture } from './fixtures.js';

export type Obj = Record<string, unknown>;

export const CSV_NAME = 'widget-operator.v1.0.0';
export const CRD_NAME = 'widgets.example.com';
export const PACKAGE_NAME = 'widget';

export const ALM_EXAMPLES = JSON.stringify([
  { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'example' }, spec: { size: 3 } },
]);

export function aPackage(overrides: Obj = {}): Obj {
  return {
    packageName: PACKAGE_NAME,
    channels: [{ name: 'alpha', currentCSV: CSV_NAME }],
    defaultChannel: 'alpha',
    ...overrides,
  };
}

export function aCrd(overrides: Obj = {}): Obj {
  return {
    apiVersion: 'apiextensions.k8s.io/v1beta1',
    kind: 'CustomResourceDefinition',
    metadata: { name: CRD_NAME },
    spec: {
      group: 'example.com',
      names: { kind: 'Widget', listKind: 'WidgetList', plural: 'widgets', singular: 'widget' },
      scope: 'Namespaced',
      version: 'v1',
    },
    ...overrides,
  };
}

/** A CRD using `spec.versions` instead of `spec.version`. */
export function aMultiVersionCrd(): Obj {
  const crd = aCrd();
  const spec = crd.spec as Obj;
  delete spec.version;
  spec.versions = [
    { name: 'v1', served: true, storage: true },
    { name: 'v1beta1', served: true, storage: false },
  ];
  return crd;
}

export function aCsv(overrides: Obj = {}): Obj {
  return {
    apiVersion: 'operators.coreos.com/v1alpha1',
    kind: 'ClusterServiceVersion',
    metadata: {
      name: CSV_NAME,
      namespace: 'placeholder',
      annotations: {
        'alm-examples': ALM_EXAMPLES,
        categories: 'Storage',
        certified: 'false',
        containerImage: 'quay.io/example/widget-operator:v1.0.0',
        createdAt: '2019-06-01T00:00:00Z',
        description: 'Manages widgets.',
        support: 'Example, Inc.',
      },
    },
    spec: {
      displayName: 'Widget Operator',
      description: 'Widgets, managed.\n\nA longer description\nover several lines.\n',
      icon: [{ base64data: 'iVBORw0KGgo=', mediatype: 'image/png' }],
      version: '1.0.0',
      maturity: 'alpha',
      provider: { name: 'Example, Inc.' },
      installModes: [{ type: 'OwnNamespace', supported: true }],
      install: {
        strategy: 'deployment',
        spec: {
          permissions: [{ serviceAccountName: 'widget-operator', rules: [] }],
          clusterPermissions: [],
          deployments: [
            {
              name: 'widget-operator',
              spec: {
                replicas: 1,
                template: {
                  spec: {
                    containers: [{ name: 'operator', image: 'quay.io/example/widget-operator:v1.0.0' }],
                  },
                },
              },
            },
          ],
        },
      },
      customresourcedefinitions: {
        owned: [
          { name: CRD_NAME, kind: 'Widget', version: 'v1', displayName: 'Widget', description: 'A widget.' },
        ],
      },
    },
    ...overrides,
  };
}

/** A deep copy of `obj` with the dotted `path` removed. */
export function without(obj: Obj, path: string): Obj {
  const copy = structuredClone(obj);
  const keys = path.split('.');
  const last = keys.pop() as string;
  const parent = keys.reduce<Obj>((o, k) => o[k] as Obj, copy);
  delete parent[last];
  return copy;
}

/** A deep copy of `obj` with the dotted `path` set to `value` (numeric segments index arrays). */
export function withValue(obj: Obj, path: string, value: unknown): Obj {
  const copy = structuredClone(obj);
  const keys = path.split('.');
  const last = keys.pop() as string;
  const parent = keys.reduce<Obj>((o, k) => o[k] as Obj, copy);
  parent[last] = value;
  return copy;
}

/** YAML text of an object, written by an independent emitter (eemeli/yaml). */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0 });
}

const encoder = new TextEncoder();

/** Files from a path → object (serialized as YAML), text or bytes map. */
export function filesOf(files: Record<string, Obj | string | Uint8Array>): FileEntry[] {
  return Object.entries(files).map(([path, content]) => ({
    path,
    data:
      content instanceof Uint8Array
        ? content
        : encoder.encode(typeof content === 'string' ? content : toYaml(content)),
  }));
}

/** A valid flat bundle: package, CSV and CRD at the root. */
export function flatBundle(parts: { pkg?: Obj; csv?: Obj; crd?: Obj } = {}): FileEntry[] {
  return filesOf({
    'package.yaml': parts.pkg ?? aPackage(),
    'csv.yaml': parts.csv ?? aCsv(),
    'crd.yaml': parts.crd ?? aCrd(),
  });
}

export function policy(overrides: Partial<OrganizationPolicy> = {}): OrganizationPolicy {
  return { ...DEFAULT_POLICY, ...overrides };
}

/** loadBundle then prepareBundle. */
export function prepare(
  files: readonly FileEntry[],
  options: { policy?: OrganizationPolicy; repository?: string } = {},
): PreparedBundle {
  const loaded = loadBundle(files, options.policy ?? DEFAULT_POLICY);
  return prepareBundle(loaded, options.repository !== undefined ? { repository: options.repository } : {});
}

/** The validation_info of a bundle, whether it passes or fails. */
export function validationOf(files: readonly FileEntry[], repository?: string): ValidationInfo {
  try {
    return prepare(files, { repository }).validationInfo;
  } catch (error) {
    if (error instanceof PackageValidationError && 'errors' in error.validationInfo) {
      return error.validationInfo as ValidationInfo;
    }
    throw error;
  }
}

/** The error a function throws (fails the test when it does not throw). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error to be thrown');
}

/**
 * What `fn` said about a file that is not YAML: it must throw courier's message with one entry in
 * `validation_info.errors` (the file, where, why), which is returned.
 */
export function malformedYaml(fn: () => unknown): string {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(PackageValidationError);
  expect((error as PackageValidationError).message).toBe(MALFORMED_YAML);
  const info = (error as PackageValidationError).validationInfo as ValidationInfo;
  expect(info).toEqual({ errors: [expect.any(String)], warnings: [] });
  return info.errors[0] as string;
}

/** The files of a fixture folder (test/fixtures/), paths relative to it. */
export function fixtureFiles(name: string): FileEntry[] {
  return readFixture(name);
}

export const decode = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes);

export function fileText(files: readonly FileEntry[], path: string): string {
  const file = files.find((f) => f.path === path);
  if (!file) throw new Error(`no file ${path} among ${files.map((f) => f.path).join(', ')}`);
  return decode(file.data);
}

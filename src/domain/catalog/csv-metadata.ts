/**
 * The `olm.csv.metadata` property (operator-registry's `property.CSVMetadata`):
 * what a console needs from a CSV without the whole manifest. opm builds it by
 * decoding the CSV into operator-framework/api's typed struct and encoding
 * again, so fields keep the struct's order and its omitempty rules (the
 * struct-valued `apiServiceDefinitions`, `crdDescriptions` and `provider` are
 * always written), unknown fields are dropped, and a field of the wrong type
 * fails the bundle. This module does the same on the parsed CSV.
 */
import { isRecord } from '../values.js';
import { sortedKeys } from './declcfg-write.js';
import { RenderError } from './render-error.js';

type Out = Record<string, unknown>;

/** The property value for `csv` (a parsed CSV mapping); RenderError naming the field when a type is wrong. */
export function csvMetadata(csv: Record<string, unknown>): Out {
  const metadata = optionalRecord(csv.metadata, 'metadata');
  const spec = optionalRecord(csv.spec, 'spec');
  const out: Out = {};
  putNonEmpty(out, 'annotations', stringMap(metadata.annotations, 'metadata.annotations'));
  out.apiServiceDefinitions = definitions(
    spec.apiservicedefinitions,
    'spec.apiservicedefinitions',
    apiService,
  );
  out.crdDescriptions = definitions(spec.customresourcedefinitions, 'spec.customresourcedefinitions', crd);
  putNonEmpty(out, 'description', str(spec.description, 'spec.description'));
  putNonEmpty(out, 'displayName', str(spec.displayName, 'spec.displayName'));
  putNonEmpty(out, 'installModes', list(spec.installModes, 'spec.installModes', installMode));
  putNonEmpty(out, 'keywords', list(spec.keywords, 'spec.keywords', str));
  putNonEmpty(out, 'labels', stringMap(metadata.labels, 'metadata.labels'));
  putNonEmpty(out, 'links', list(spec.links, 'spec.links', appLink));
  putNonEmpty(out, 'maintainers', list(spec.maintainers, 'spec.maintainers', maintainer));
  putNonEmpty(out, 'maturity', str(spec.maturity, 'spec.maturity'));
  putNonEmpty(out, 'minKubeVersion', str(spec.minKubeVersion, 'spec.minKubeVersion'));
  putNonEmpty(out, 'nativeAPIs', list(spec.nativeAPIs, 'spec.nativeAPIs', groupVersionKind));
  out.provider = appLink(spec.provider, 'spec.provider');
  return out;
}

type Reader<T> = (value: unknown, path: string) => T;

function wrongType(path: string, expected: string): RenderError {
  return new RenderError(`The CSV's ${path} must be ${expected}.`);
}

/** Go's omitempty: empty strings, lists and maps and zero numbers are left out. */
function putNonEmpty(out: Out, key: string, value: unknown): void {
  if (value === '' || value === 0 || value === undefined) return;
  if (Array.isArray(value) && value.length === 0) return;
  if (isRecord(value) && Object.keys(value).length === 0) return;
  out[key] = value;
}

function optionalRecord(value: unknown, path: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw wrongType(path, 'a mapping');
  return value;
}

const str: Reader<string> = (value, path) => {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw wrongType(path, 'a string');
  return value;
};

function bool(value: unknown, path: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw wrongType(path, 'true or false');
  return value;
}

function int32(value: unknown, path: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
    throw wrongType(path, 'a 32-bit integer');
  }
  return value;
}

function list<T>(value: unknown, path: string, item: Reader<T>): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw wrongType(path, 'a list');
  return value.map((v, i) => item(v, `${path}[${i}]`));
}

/** A map[string]string of the CSV (null values are ""); RenderError for another value. */
export function csvStringMap(value: unknown, path: string): Record<string, string> {
  const strings: Record<string, string> = {};
  for (const [key, v] of Object.entries(optionalRecord(value, path))) {
    if (typeof v !== 'string' && v !== null) throw wrongType(`${path}.${key}`, 'a string');
    strings[key] = v ?? '';
  }
  return strings;
}

/** A map, written with its keys in Go's order. */
const stringMap = (value: unknown, path: string) => sortedKeys(csvStringMap(value, path));

function definitions(value: unknown, path: string, item: Reader<Out>): Out {
  const record = optionalRecord(value, path);
  const out: Out = {};
  putNonEmpty(out, 'owned', list(record.owned, `${path}.owned`, item));
  putNonEmpty(out, 'required', list(record.required, `${path}.required`, item));
  return out;
}

function crd(value: unknown, path: string): Out {
  const out = strings(['name', 'version', 'kind'])(value, path);
  describedApi(out, optionalRecord(value, path), path);
  return out;
}

function apiService(value: unknown, path: string): Out {
  const out = strings(['name', 'group', 'version', 'kind'], ['deploymentName'])(value, path);
  const r = optionalRecord(value, path);
  putNonEmpty(out, 'containerPort', int32(r.containerPort, `${path}.containerPort`));
  describedApi(out, r, path);
  return out;
}

/** The fields CRDDescription and APIServiceDescription share, in their order. */
function describedApi(out: Out, r: Record<string, unknown>, path: string): void {
  putNonEmpty(out, 'displayName', str(r.displayName, `${path}.displayName`));
  putNonEmpty(out, 'description', str(r.description, `${path}.description`));
  putNonEmpty(out, 'resources', list(r.resources, `${path}.resources`, resource));
  putNonEmpty(out, 'statusDescriptors', list(r.statusDescriptors, `${path}.statusDescriptors`, descriptor));
  putNonEmpty(out, 'specDescriptors', list(r.specDescriptors, `${path}.specDescriptors`, descriptor));
  putNonEmpty(out, 'actionDescriptors', list(r.actionDescriptors, `${path}.actionDescriptors`, descriptor));
}

/** A struct of strings: `always` fields written even when empty, `omitEmpty` ones only when set. */
function strings(always: readonly string[], omitEmpty: readonly string[] = []): Reader<Out> {
  return (value, path) => {
    const r = optionalRecord(value, path);
    const out: Out = {};
    for (const key of always) out[key] = str(r[key], `${path}.${key}`);
    for (const key of omitEmpty) putNonEmpty(out, key, str(r[key], `${path}.${key}`));
    return out;
  };
}

const resource = strings(['name', 'kind', 'version']);
const appLink = strings([], ['name', 'url']);
const maintainer = strings([], ['name', 'email']);
const groupVersionKind = strings(['group', 'version', 'kind']);

function descriptor(value: unknown, path: string): Out {
  const r = optionalRecord(value, path);
  const out: Out = { path: str(r.path, `${path}.path`) };
  putNonEmpty(out, 'displayName', str(r.displayName, `${path}.displayName`));
  putNonEmpty(out, 'description', str(r.description, `${path}.description`));
  putNonEmpty(out, 'x-descriptors', list(r['x-descriptors'], `${path}.x-descriptors`, str));
  // A raw JSON value in Go: kept when present (null included), its mappings in Go's key order.
  if (Object.hasOwn(r, 'value')) out.value = sortedKeys(r.value);
  return out;
}

function installMode(value: unknown, path: string): Out {
  const r = optionalRecord(value, path);
  return { type: str(r.type, `${path}.type`), supported: bool(r.supported, `${path}.supported`) };
}

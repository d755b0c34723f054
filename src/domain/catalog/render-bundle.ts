/**
 * One registry+v1 bundle → one `olm.bundle` blob, by `opm render`'s rules
 * (SPEC §11.1; operator-registry's `pkg/registry/parse.go`,
 * `registry_to_model.go` and `alpha/action/render.go`), so a catalog we
 * write is the catalog opm would write from the same bundles:
 *
 * - manifests: every file directly in `manifests/` (dot files skipped), in
 *   file-name order; documents without a `kind` are skipped; only the first CSV
 *   counts.
 * - metadata: every file directly in `metadata/`; the first holding bundle
 *   annotations, the first holding `dependencies` and the first holding
 *   `properties` are used (whatever their names).
 * - properties: `olm.package` (the CSV's `olm.properties` annotation wins over
 *   the annotations file's package, which wins over `properties.yaml`),
 *   `olm.gvk` (provided APIs and `olm.gvk` properties, one each),
 *   `olm.gvk.required`, `olm.package.required`, every other property and
 *   dependency as is, sorted by type and then by the value's JSON text; then
 *   one `olm.bundle.object` per manifest — or, with the migrate level and an
 *   image, one `olm.csv.metadata` (opm's migration leaves image-less bundles alone).
 * - relatedImages: the CSV's, the bundle image, the deployments' container
 *   images, sorted by image.
 */
import { toBase64 } from '../base64.js';
import { BUNDLE_ANNOTATION } from '../bundle-image/registry-bundles.js';
import { PackageValidationError } from '../errors.js';
import type { FileEntry } from '../files.js';
import { decodeUtf8, parseYaml } from '../manifest/yaml-parse.js';
import { isRecord } from '../values.js';
import { csvMetadata, csvStringMap } from './csv-metadata.js';
import { compareStrings, goJson, sortedKeys } from './declcfg-write.js';
import type { FbcBundle, FbcIcon, Property, RelatedImage, RenderedBundle } from './fbc.js';
import { KUBE_YAML_SCHEMA } from './kube-yaml.js';
import { PROPERTY } from './properties.js';
import { annotatedProperties } from './properties-annotation.js';
import { RenderError, yamlReason } from './render-error.js';

export { RenderError } from './render-error.js';

/** opm's `--migrate-level` that replaces `olm.bundle.object`s with one `olm.csv.metadata`. */
export const CSV_METADATA_MIGRATION = 'bundle-object-to-csv-metadata';
export type MigrateLevel = typeof CSV_METADATA_MIGRATION;

export interface RenderOptions {
  /** The bundle image reference written as `image` ('' for none). */
  readonly image: string;
  readonly migrateLevel?: MigrateLevel;
}

/** The CSV annotation holding extra properties as a JSON list. */
const PROPERTIES_ANNOTATION = 'olm.properties';
const SKIP_RANGE_ANNOTATION = 'olm.skipRange';

type Mapping = Record<string, unknown>;

export interface BundleManifest {
  /** File name inside `manifests/`. */
  readonly file: string;
  readonly object: Mapping;
}

/** The three bundle annotations opm reads ('' when absent). */
export interface BundleAnnotations {
  readonly package: string;
  readonly channels: string;
  readonly defaultChannel: string;
}

/** A property as opm holds it: its value and the value's JSON text (what opm sorts and deduplicates by). */
interface RawProperty {
  readonly type: string;
  readonly value: unknown;
  readonly raw: string;
}

/** A bundle's files, read and parsed: what `renderBundle` needs, whatever the source. */
export interface ParsedBundle {
  /** Every manifest with a kind, in file-name order, the first CSV only. */
  readonly manifests: readonly BundleManifest[];
  readonly csv: Mapping;
  readonly annotations: BundleAnnotations;
  /** `properties` of the metadata properties file. */
  readonly properties: readonly RawProperty[];
  /** `dependencies` of the metadata dependencies file. */
  readonly dependencies: readonly RawProperty[];
}

/** What `--image-ref-template` may use: `{{.Package}}`, `{{.Name}}`, `{{.Version}}`. */
export interface ImageRefFacts {
  readonly Package: string;
  readonly Name: string;
  readonly Version: string;
}

/**
 * `files`: a registry+v1 bundle, paths relative to its root (`manifests/…`,
 * `metadata/…`). Throws RenderError when it cannot be rendered.
 */
export function renderBundle(files: readonly FileEntry[], options: RenderOptions): RenderedBundle {
  return bounded(() => buildBundle(readBundle(files), options));
}

/** Throws RenderError: no manifests, no CSV, no annotations, YAML that does not parse. */
export function readBundle(files: readonly FileEntry[]): ParsedBundle {
  return bounded(() => {
    const manifests: BundleManifest[] = [];
    let csv: Mapping | undefined;
    for (const { name, file } of filesIn(files, 'manifests')) {
      if (name.startsWith('.')) continue;
      const doc = parseFile(file);
      if (!isRecord(doc) || typeof doc.kind !== 'string' || doc.kind === '') continue;
      if (doc.kind === 'ClusterServiceVersion') {
        if (csv) continue;
        csv = doc;
      }
      manifests.push({ file: name, object: doc });
    }
    if (manifests.length === 0)
      throw new RenderError('The bundle has no manifests: manifests/ holds no object.');
    if (!csv) throw new RenderError('The bundle has no ClusterServiceVersion in manifests/.');

    let annotations: BundleAnnotations | undefined;
    let dependencies: RawProperty[] | undefined;
    let properties: RawProperty[] | undefined;
    for (const { file } of filesIn(files, 'metadata')) {
      const doc = parseFile(file);
      annotations ??= annotationsIn(doc);
      dependencies ??= propertyList(doc, 'dependencies');
      properties ??= propertyList(doc, 'properties');
    }
    if (!annotations) {
      throw new RenderError(
        `The bundle has no annotations: metadata/ holds no annotations.yaml with ${BUNDLE_ANNOTATION.package}.`,
      );
    }
    return { manifests, csv, annotations, properties: properties ?? [], dependencies: dependencies ?? [] };
  });
}

/** The values `--image-ref-template` fills in (opm: the first `olm.package` property's version). */
export function imageRefFacts(parsed: ParsedBundle): ImageRefFacts {
  const csv = csvFacts(parsed.csv);
  const first = bundleProperties(parsed, csv, bundleApis(parsed, csv.name)).find(
    (p) => p.type === PROPERTY.package,
  );
  const version = first ? packageValue(first).version : '';
  return { Package: parsed.annotations.package, Name: csv.name, Version: version };
}

export function buildBundle(parsed: ParsedBundle, options: RenderOptions): RenderedBundle {
  return bounded(() => {
    const csv = csvFacts(parsed.csv);
    if (parsed.annotations.package === '') {
      throw new RenderError(`Bundle ${csv.name}: its annotations have no ${BUNDLE_ANNOTATION.package}.`);
    }
    const apis = bundleApis(parsed, csv.name);
    let properties = objectsAndProperties(parsed, csv, apis);
    if (options.migrateLevel === CSV_METADATA_MIGRATION && options.image !== '') {
      properties = migrated(properties, parsed.csv);
    }
    const bundle: FbcBundle = {
      schema: 'olm.bundle',
      name: csv.name,
      package: parsed.annotations.package,
      image: options.image,
      properties: properties.map(({ type, value }): Property => ({ type, value })),
    };
    const relatedImages = relatedImagesOf(csv.spec, options.image);
    if (relatedImages.length > 0) bundle.relatedImages = relatedImages;

    const { channels, defaultChannel } = parsed.annotations;
    const rendered: RenderedBundle = {
      bundle,
      version: csv.version,
      skips: csv.skips,
      channels: channels === '' ? [] : channels.split(','),
    };
    if (csv.replaces !== undefined) rendered.replaces = csv.replaces;
    const skipRange = csv.annotations[SKIP_RANGE_ANNOTATION];
    if (skipRange) rendered.skipRange = skipRange;
    if (defaultChannel !== '') rendered.defaultChannel = defaultChannel;
    const icon = firstIcon(csv.spec.icon);
    if (icon) rendered.icon = icon;
    if (typeof csv.spec.description === 'string') rendered.description = csv.spec.description;
    return rendered;
  });
}

// ---------------------------------------------------------------- reading files

/**
 * Files directly inside `folder`, in Go's file-name order. Paths as an image
 * layer may write them (`./manifests/…`, `/manifests/…`) count too.
 */
function filesIn(files: readonly FileEntry[], folder: string): { name: string; file: FileEntry }[] {
  const prefix = `${folder}/`;
  const out: { name: string; file: FileEntry }[] = [];
  for (const file of files) {
    const path = file.path.replace(LEADING_DOTS_AND_SLASHES, '');
    const name = path.startsWith(prefix) ? path.slice(prefix.length) : '';
    if (name !== '' && !name.includes('/')) out.push({ name, file });
  }
  return out.sort((a, b) => compareStrings(a.name, b.name));
}

const LEADING_DOTS_AND_SLASHES = /^(?:\.?\/)+/;

function parseFile(file: FileEntry): unknown {
  try {
    return parseYaml(file.path, decodeUtf8(file.path, file.data), KUBE_YAML_SCHEMA);
  } catch (error) {
    if (error instanceof PackageValidationError) throw new RenderError(yamlReason(error), { cause: error });
    throw error;
  }
}

/** The three annotations when `doc` is an annotations file opm would decode (one of them set). */
function annotationsIn(doc: unknown): BundleAnnotations | undefined {
  if (!isRecord(doc) || !isRecord(doc.annotations)) return undefined;
  const values: string[] = [];
  for (const key of [
    BUNDLE_ANNOTATION.package,
    BUNDLE_ANNOTATION.channels,
    BUNDLE_ANNOTATION.defaultChannel,
  ]) {
    const value = goString(doc.annotations[key]);
    // A value of another type fails opm's decoding: then this is not the annotations file.
    if (value === undefined) return undefined;
    values.push(value);
  }
  const [pkg = '', channels = '', defaultChannel = ''] = values;
  if (pkg === '' && channels === '' && defaultChannel === '') return undefined;
  return { package: pkg, channels, defaultChannel };
}

/**
 * A YAML scalar decoded into a Go string field: sigs.k8s.io/yaml writes a
 * number or a boolean there as its text; null is ""; anything else fails.
 */
export function goString(value: unknown): string | undefined {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  return undefined;
}

/** `{type, value}` entries of `doc[key]` when it is a non-empty list opm would decode. */
function propertyList(doc: unknown, key: 'dependencies' | 'properties'): RawProperty[] | undefined {
  if (!isRecord(doc) || !Array.isArray(doc[key]) || doc[key].length === 0) return undefined;
  const out: RawProperty[] = [];
  for (const entry of doc[key] as unknown[]) {
    if (entry === null) {
      out.push({ type: '', value: null, raw: '' });
      continue;
    }
    if (!isRecord(entry)) return undefined;
    const type = goString(entry.type);
    if (type === undefined) return undefined;
    const has = entry.value !== undefined;
    // The value's text is what opm's YAML-to-JSON conversion writes: keys sorted, HTML characters escaped.
    const raw = has ? escapeHtml(goJson(sortedKeys(entry.value))) : '';
    out.push({ type, value: has ? sortedKeys(entry.value) : null, raw });
  }
  return out;
}

// ---------------------------------------------------------------- the CSV

interface CsvFacts {
  readonly name: string;
  readonly spec: Mapping;
  readonly annotations: Readonly<Record<string, string>>;
  readonly version: string;
  readonly release: string;
  readonly replaces?: string;
  readonly skips: string[];
}

function csvFacts(csv: Mapping): CsvFacts {
  const metadata = isRecord(csv.metadata) ? csv.metadata : {};
  const name = metadata.name;
  if (typeof name !== 'string' || name === '') throw new RenderError('The bundle CSV has no metadata.name.');
  const where = `The CSV ${name}`;
  // ObjectMeta's maps of strings: anything else fails opm's conversion of the CSV.
  const annotations = csvStringMap(metadata.annotations, 'metadata.annotations');
  csvStringMap(metadata.labels, 'metadata.labels');
  if (csv.spec !== undefined && csv.spec !== null && !isRecord(csv.spec)) {
    throw new RenderError(`${where}: spec must be a mapping.`);
  }
  const spec: Mapping = isRecord(csv.spec) ? csv.spec : {};
  const text = (field: string): string | undefined => {
    const value = spec[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw new RenderError(`${where}: spec.${field} must be a string.`);
    return value;
  };
  const skips = spec.skips ?? [];
  if (!Array.isArray(skips) || skips.some((s) => typeof s !== 'string')) {
    throw new RenderError(`${where}: spec.skips must be a list of CSV names.`);
  }
  const replaces = text('replaces');
  const facts = {
    name,
    spec,
    annotations,
    version: text('version') ?? '',
    release: releaseOf(spec.release, where),
  };
  return { ...facts, skips: skips as string[], ...(replaces ? { replaces } : {}) };
}

/** spec.release: a string, or a number written as Go's `%d` / `%g` would. */
function releaseOf(value: unknown, where: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new RenderError(`${where}: spec.release must be a string or a number.`);
}

function firstIcon(icons: unknown): FbcIcon | undefined {
  const first = Array.isArray(icons) ? icons[0] : undefined;
  if (!isRecord(first) || typeof first.base64data !== 'string' || typeof first.mediatype !== 'string') {
    return undefined;
  }
  return { base64data: first.base64data, mediatype: first.mediatype };
}

// ---------------------------------------------------------------- APIs

interface ApiKey {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
}

const apiId = (k: ApiKey) => `${k.group}/${k.version}/${k.kind} (${k.plural})`;

interface BundleApis {
  readonly provided: ApiKey[];
  readonly required: ApiKey[];
}

/** Provided APIs (CRD versions, owned API services) and required ones (required CRDs and API services). */
function bundleApis(parsed: ParsedBundle, name: string): BundleApis {
  const provided = new Map<string, ApiKey>();
  const add = (map: Map<string, ApiKey>, key: ApiKey) => map.set(apiId(key), key);
  for (const { file, object } of parsed.manifests) {
    if (object.kind !== 'CustomResourceDefinition') continue;
    const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
    const crdVersion = apiVersion.slice(apiVersion.indexOf('/') + 1);
    if (crdVersion !== 'v1' && crdVersion !== 'v1beta1') continue;
    const where = `The CRD in manifests/${file}`;
    const spec = mappingAt(object.spec, `${where}: spec`);
    const names = mappingAt(spec.names, `${where}: spec.names`);
    const group = stringAt(spec.group, `${where}: spec.group`);
    const kind = stringAt(names.kind, `${where}: spec.names.kind`);
    const plural = stringAt(names.plural, `${where}: spec.names.plural`);
    for (const [i, v] of listAt(spec.versions, `${where}: spec.versions`).entries()) {
      const version = stringAt(
        mappingAt(v, `${where}: spec.versions[${i}]`).name,
        `${where}: spec.versions[${i}].name`,
      );
      add(provided, { group, version, kind, plural });
    }
    // v1beta1's single spec.version (a v1 CRD has none: opm's typed decoding drops it).
    if (crdVersion === 'v1beta1') {
      const version = stringAt(spec.version, `${where}: spec.version`);
      if (version !== '') add(provided, { group, version, kind, plural });
    }
  }
  const where = `The CSV ${name}`;
  const crds = definitionKeys(parsed.csv, 'customresourcedefinitions', where);
  const apiServices = definitionKeys(parsed.csv, 'apiservicedefinitions', where);
  const asApi = (d: DefinitionKey): ApiKey => ({
    group: d.group,
    version: d.version,
    kind: d.kind,
    plural: d.name,
  });
  for (const api of apiServices.owned) add(provided, asApi(api));

  for (const crd of crds.owned) {
    const key = crdApi(crd, where);
    if (!provided.has(apiId(key))) {
      throw new RenderError(
        `${where} owns the CRD ${crd.name} (${apiId(key)}), which no CustomResourceDefinition in manifests/ provides.`,
      );
    }
  }
  const required = new Map<string, ApiKey>();
  for (const crd of crds.required) add(required, crdApi(crd, where));
  for (const api of apiServices.required) add(required, asApi(api));
  return { provided: [...provided.values()], required: [...required.values()] };
}

interface DefinitionKey {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly version: string;
}

function definitionKeys(
  csv: Mapping,
  field: 'customresourcedefinitions' | 'apiservicedefinitions',
  where: string,
): { owned: DefinitionKey[]; required: DefinitionKey[] } {
  const spec = isRecord(csv.spec) ? csv.spec : {};
  const section = mappingAt(spec[field], `${where}: spec.${field}`);
  const keys = (list: 'owned' | 'required') =>
    listAt(section[list], `${where}: spec.${field}.${list}`).map((entry, i) => {
      const path = `${where}: spec.${field}.${list}[${i}]`;
      const d = mappingAt(entry, path);
      return {
        group: stringAt(d.group, `${path}.group`),
        kind: stringAt(d.kind, `${path}.kind`),
        name: stringAt(d.name, `${path}.name`),
        version: stringAt(d.version, `${path}.version`),
      };
    });
  return { owned: keys('owned'), required: keys('required') };
}

/** A CSV's CRD entry: plural and group from its name (`<plural>.<group>`). */
function crdApi(crd: DefinitionKey, where: string): ApiKey {
  const dot = crd.name.indexOf('.');
  if (dot < 0) throw new RenderError(`${where}: the CRD name "${crd.name}" is not <plural>.<group>.`);
  return {
    group: crd.name.slice(dot + 1),
    version: crd.version,
    kind: crd.kind,
    plural: crd.name.slice(0, dot),
  };
}

/** Go's typed decoding: null or absent is the zero value, another type an error. */
function mappingAt(value: unknown, what: string): Mapping {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new RenderError(`${what} must be a mapping.`);
  return value;
}

function listAt(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new RenderError(`${what} must be a list.`);
  return value;
}

function stringAt(value: unknown, what: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new RenderError(`${what} must be a string.`);
  return value;
}

// ---------------------------------------------------------------- properties

const HTML = /[<>&]/g;
const HTML_ESCAPES: Readonly<Record<string, string>> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026' };

/**
 * Go's json.Marshal escapes `<`, `>` and `&` (opm's own property encoder does
 * not). They only occur inside strings, so escaping the whole text is safe.
 */
function escapeHtml(json: string): string {
  return json.replace(HTML, (c) => HTML_ESCAPES[c]!);
}

/** opm's property encoder: struct fields in order, no HTML escaping. */
function built(type: string, value: Mapping): RawProperty {
  return { type, value, raw: goJson(value) };
}

function packageProperty(packageName: string, version: string, release: string): RawProperty {
  return built(
    PROPERTY.package,
    release === '' ? { packageName, version } : { packageName, version, release },
  );
}

interface Gvk {
  readonly group: string;
  readonly kind: string;
  readonly version: string;
}

const gvkId = (g: Gvk) => JSON.stringify([g.group, g.kind, g.version]);

/**
 * The bundle's own property list before conversion (opm's `Bundle.Properties`):
 * the properties file's, then the package from the annotations, the CSV's
 * `olm.properties`, the provided APIs — each distinct property once.
 */
function bundleProperties(parsed: ParsedBundle, csv: CsvFacts, apis: BundleApis): RawProperty[] {
  const derived: RawProperty[] = [];
  if (parsed.annotations.package !== '') {
    derived.push(packageProperty(parsed.annotations.package, csv.version, csv.release));
  }
  const annotation = csv.annotations[PROPERTIES_ANNOTATION];
  for (const { type, raw } of annotation === undefined ? [] : (annotatedProperties(annotation) ?? [])) {
    derived.push({ type, raw, value: raw === '' ? null : JSON.parse(raw) });
  }
  for (const api of apis.provided) {
    derived.push(built(PROPERTY.gvk, { group: api.group, kind: api.kind, version: api.version }));
  }
  return distinct([...parsed.properties, ...distinct(derived)]);
}

function distinct(properties: readonly RawProperty[]): RawProperty[] {
  const seen = new Set<string>();
  return properties.filter((p) => {
    const id = `${p.type}\u0000${p.raw}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** opm's `ObjectsAndPropertiesFromBundle`, then render's sort and its move of bundle objects to the end. */
function objectsAndProperties(parsed: ParsedBundle, csv: CsvFacts, apis: BundleApis): RawProperty[] {
  const provided = new Map<string, Gvk>();
  const required = new Map<string, Gvk>();
  const packageRequired: RawProperty[] = [];
  const others: RawProperty[] = [];
  let pkg: RawProperty | undefined;

  for (const p of bundleProperties(parsed, csv, apis)) {
    if (p.type === PROPERTY.gvk) {
      const g = gvkValue(p);
      provided.set(gvkId(g), g);
    } else if (p.type === PROPERTY.package) {
      const v = packageValue(p);
      pkg = packageProperty(v.packageName, v.version, v.release);
    } else others.push(p);
  }
  for (const p of parsed.dependencies) {
    if (p.type === PROPERTY.gvk) {
      const g = gvkValue(p);
      required.set(gvkId(g), g);
    } else if (p.type === PROPERTY.package) {
      const v = packageValue(p);
      packageRequired.push(
        built(PROPERTY.packageRequired, { packageName: v.packageName, versionRange: v.version }),
      );
    } else others.push(p);
  }
  for (const api of apis.provided) {
    const g = { group: api.group, kind: api.kind, version: api.version };
    if (!provided.has(gvkId(g))) provided.set(gvkId(g), g);
  }
  for (const api of apis.required) {
    const g = { group: api.group, kind: api.kind, version: api.version };
    if (!required.has(gvkId(g))) required.set(gvkId(g), g);
  }

  const objects = parsed.manifests.map(({ object }) => {
    const json = escapeHtml(goJson(sortedKeys(object)));
    return built(PROPERTY.bundleObject, { data: toBase64(new TextEncoder().encode(json)) });
  });
  pkg ??= packageProperty(parsed.annotations.package, csv.version, csv.release);
  const gvk = (type: string) => (g: Gvk) => built(type, { group: g.group, kind: g.kind, version: g.version });
  const all = [
    ...objects,
    pkg,
    ...[...provided.values()].map(gvk(PROPERTY.gvk)),
    ...[...required.values()].map(gvk(PROPERTY.gvkRequired)),
    ...packageRequired,
    ...others,
  ].sort((a, b) => compareStrings(a.type, b.type) || compareStrings(a.raw, b.raw));
  const isObject = (p: RawProperty) => p.type === PROPERTY.bundleObject || p.type === PROPERTY.csvMetadata;
  return [...all.filter((p) => !isObject(p)), ...all.filter(isObject)];
}

/** opm's migration: bundle objects out, one `olm.csv.metadata` in — unless the bundle already has one. */
function migrated(properties: RawProperty[], csv: Mapping): RawProperty[] {
  if (properties.some((p) => p.type === PROPERTY.csvMetadata)) return properties;
  const kept = properties.filter((p) => p.type !== PROPERTY.bundleObject);
  return [...kept, built(PROPERTY.csvMetadata, csvMetadata(csv))];
}

/** A property value decoded as opm decodes it into a struct of strings; RenderError naming the property. */
function fieldsOf<K extends string>(p: RawProperty, keys: readonly K[]): Record<K, string> {
  const bad = () => new RenderError(`The ${p.type} property ${p.raw || '(no value)'} is not valid.`);
  if (p.raw === '' || (p.value !== null && !isRecord(p.value))) throw bad();
  const value = (p.value ?? {}) as Mapping;
  const out = {} as Record<K, string>;
  for (const key of keys) {
    const v = value[key] ?? '';
    if (typeof v !== 'string') throw bad();
    out[key] = v;
  }
  return out;
}

const gvkValue = (p: RawProperty): Gvk => fieldsOf(p, ['group', 'kind', 'version']);
const packageValue = (p: RawProperty) => fieldsOf(p, ['packageName', 'version', 'release']);

// ---------------------------------------------------------------- related images

/**
 * The CSV's relatedImages (as listed), the bundle image unless listed, each
 * deployment container and init container image not yet listed (opm lists an
 * operator image equal to the bundle image twice); sorted by image.
 */
function relatedImagesOf(spec: Mapping, image: string): RelatedImage[] {
  const where = 'The CSV';
  const listed = listAt(spec.relatedImages, `${where}: spec.relatedImages`).map((entry, i) => {
    const r = mappingAt(entry, `${where}: spec.relatedImages[${i}]`);
    return {
      name: stringAt(r.name, `${where}: spec.relatedImages[${i}].name`),
      image: stringAt(r.image, `${where}: spec.relatedImages[${i}].image`),
    };
  });
  const seen = new Set(listed.map((r) => r.image));
  const out: RelatedImage[] = [...listed];
  if (image !== '' && !seen.has(image)) out.push({ name: '', image });
  for (const operatorImage of operatorImages(spec)) {
    if (!seen.has(operatorImage)) out.push({ name: '', image: operatorImage });
    seen.add(operatorImage);
  }
  return out.sort((a, b) => compareStrings(a.image, b.image));
}

/** Images of the `deployment` install strategy's containers and init containers. */
function operatorImages(spec: Mapping): Set<string> {
  const where = 'The CSV: spec.install';
  const install = mappingAt(spec.install, where);
  const images = new Set<string>();
  if (stringAt(install.strategy, `${where}.strategy`) !== 'deployment') return images;
  const deployments = listAt(
    mappingAt(install.spec, `${where}.spec`).deployments,
    `${where}.spec.deployments`,
  );
  for (const [i, d] of deployments.entries()) {
    const path = `${where}.spec.deployments[${i}].spec.template.spec`;
    const deployment = mappingAt(d, `${where}.spec.deployments[${i}]`);
    const pod = mappingAt(mappingAt(mappingAt(deployment.spec, path).template, path).spec, path);
    for (const field of ['containers', 'initContainers']) {
      for (const [j, c] of listAt(pod[field], `${path}.${field}`).entries()) {
        images.add(stringAt(mappingAt(c, `${path}.${field}[${j}]`).image, `${path}.${field}[${j}].image`));
      }
    }
  }
  return images;
}

/** Hostile input is bounded by the YAML parser; what still overflows the stack becomes a RenderError. */
function bounded<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof RangeError) {
      throw new RenderError('The bundle is too large or too deeply nested to render.', { cause: error });
    }
    throw error;
  }
}

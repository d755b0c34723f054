/**
 * FBC blobs as text, byte for byte what `opm render -o json|yaml` writes
 * (operator-registry `alpha/declcfg/write.go`): blobs grouped by package
 * (packages in name order; per package its `olm.package`, channels by name,
 * bundles by name, other blobs by schema, deprecations last), then blobs of no
 * package in the order read. JSON: Go's encoder with four-space indent and
 * HTML escaping off, fields in Go struct order with its omitempty rules.
 * YAML: each blob's JSON turned into YAML the way sigs.k8s.io/yaml does (keys
 * sorted, go-yaml v2's emitter), each document after `---`.
 */

import type {
  ChannelEntry,
  DeclarativeConfig,
  FbcBundle,
  FbcChannel,
  FbcMeta,
  FbcPackage,
  Property,
} from './fbc.js';
import { emitGoYaml } from './go-yaml-emit.js';

export function writeJson(config: DeclarativeConfig): string {
  return blobsInOrder(config)
    .map((blob) => `${goJson(blob, 4)}\n`)
    .join('');
}

export function writeYaml(config: DeclarativeConfig): string {
  return blobsInOrder(config)
    .map((blob) => `---\n${emitGoYaml(blob)}`)
    .join('');
}

/** One JSON object per line (no indent), as catalogd's `/api/v1/all` serves a catalog. */
export function writeJsonLines(config: DeclarativeConfig): string {
  return blobsInOrder(config)
    .map((blob) => `${goJson(blob)}\n`)
    .join('');
}

/**
 * Go's json.Encoder with SetEscapeHTML(false) (and SetIndent when `indent`):
 * JSON.stringify's escapes, plus U+2028/U+2029 escaped. Objects keep their
 * key order, except `SortedKeys` objects (blobs Go wrote from a map).
 */
export function goJson(value: unknown, indent?: number): string {
  const parts: string[] = [];
  writeValue(value, parts, indent === undefined ? undefined : ' '.repeat(indent), '');
  return parts.join('');
}

const LINE_SEPARATORS = /[\u2028\u2029]/g;

function goString(s: string): string {
  const json = JSON.stringify(s);
  return LINE_SEPARATORS.test(json)
    ? json.replace(LINE_SEPARATORS, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029'))
    : json;
}

function writeValue(value: unknown, parts: string[], unit: string | undefined, prefix: string): void {
  if (typeof value === 'string') parts.push(goString(value));
  else if (value === null || value === undefined) parts.push('null');
  else if (typeof value === 'number') parts.push(Number.isFinite(value) ? String(value) : 'null');
  else if (typeof value === 'boolean') parts.push(value ? 'true' : 'false');
  else if (typeof value === 'bigint') parts.push(value.toString());
  else if (Array.isArray(value)) {
    writeCollection('[', ']', value, parts, unit, prefix, (item, inner) =>
      writeValue(item, parts, unit, inner),
    );
  } else if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    let keys = Object.keys(record).filter((k) => record[k] !== undefined);
    if (value instanceof SortedKeys) keys = keys.sort(compareStrings);
    writeCollection('{', '}', keys, parts, unit, prefix, (k, inner) => {
      parts.push(goString(k), unit === undefined ? ':' : ': ');
      writeValue(record[k], parts, unit, inner);
    });
  } else parts.push('null');
}

/** `[...]` or `{...}`: empty on one line, else one item per line when indenting (Go's json.Indent). */
function writeCollection<T>(
  open: string,
  close: string,
  items: readonly T[],
  parts: string[],
  unit: string | undefined,
  prefix: string,
  writeItem: (item: T, inner: string) => void,
): void {
  if (items.length === 0) {
    parts.push(open, close);
    return;
  }
  const inner = unit === undefined ? '' : prefix + unit;
  parts.push(open);
  items.forEach((item, i) => {
    if (i > 0) parts.push(',');
    if (unit !== undefined) parts.push('\n', inner);
    writeItem(item, inner);
  });
  if (unit !== undefined) parts.push('\n', prefix);
  parts.push(close);
}

/** An object Go encodes from a map[string]any: its keys in byte order whatever their insertion order. */
export class SortedKeys {
  [key: string]: unknown;
}

/** Compares paths as Go's fs.WalkDir visits files: folder by folder, names in byte order. */
export function comparePaths(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const c = compareStrings(x[i] as string, y[i] as string);
    if (c !== 0) return c;
  }
  return x.length - y.length;
}

/** Compares as Go compares strings (UTF-8 bytes = code points). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

interface PackageGroup {
  packages: FbcPackage[];
  channels: FbcChannel[];
  bundles: FbcBundle[];
  others: FbcMeta[];
  deprecations: FbcMeta[];
}

/**
 * write.go's configsByPackage + writeToEncoder: blobs whose package name is
 * empty are dropped (packages, channels, bundles, deprecations), other blobs
 * without a package go last.
 */
export function blobsInOrder(config: DeclarativeConfig): unknown[] {
  const groups = new Map<string, PackageGroup>();
  const group = (name: string): PackageGroup => {
    let g = groups.get(name);
    if (!g) {
      g = { packages: [], channels: [], bundles: [], others: [], deprecations: [] };
      groups.set(name, g);
    }
    return g;
  };
  for (const p of config.packages) if (p.name) group(p.name).packages.push(p);
  for (const c of config.channels) if (c.package) group(c.package).channels.push(c);
  for (const b of config.bundles) if (b.package) group(b.package).bundles.push(b);
  const rootOthers: FbcMeta[] = [];
  for (const o of config.others) {
    if (o.schema === DEPRECATIONS) {
      if (o.package) group(o.package).deprecations.push(o);
    } else if (o.package) group(o.package).others.push(o);
    else rootOthers.push(o);
  }
  const out: unknown[] = [];
  for (const name of [...groups.keys()].sort(compareStrings)) {
    const g = groups.get(name) as PackageGroup;
    for (const p of g.packages) out.push(packageBlob(p));
    for (const c of [...g.channels].sort((x, y) => compareStrings(x.name, y.name))) out.push(channelBlob(c));
    for (const b of [...g.bundles].sort((x, y) => compareStrings(x.name, y.name))) out.push(bundleBlob(b));
    // A stable sort, as sort.SliceStable.
    for (const o of [...g.others].sort((x, y) => compareStrings(x.schema, y.schema))) out.push(metaBlob(o));
    for (const d of g.deprecations) out.push(deprecationBlob(d));
  }
  for (const o of rootOthers) out.push(metaBlob(o));
  return out;
}

const DEPRECATIONS = 'olm.deprecations';

function packageBlob(p: FbcPackage): Record<string, unknown> {
  const out: Record<string, unknown> = {
    schema: p.schema,
    name: p.name,
    defaultChannel: p.defaultChannel ?? '',
  };
  if (p.icon) out.icon = { base64data: p.icon.base64data, mediatype: p.icon.mediatype };
  if (p.description) out.description = p.description;
  if (p.properties && p.properties.length > 0) out.properties = p.properties.map(propertyBlob);
  return out;
}

function channelBlob(c: FbcChannel): Record<string, unknown> {
  const out: Record<string, unknown> = {
    schema: c.schema,
    name: c.name,
    package: c.package,
    entries: c.entries.map(entryBlob),
  };
  if (c.properties && c.properties.length > 0) out.properties = c.properties.map(propertyBlob);
  return out;
}

function entryBlob(e: ChannelEntry): Record<string, unknown> {
  const out: Record<string, unknown> = { name: e.name };
  if (e.replaces) out.replaces = e.replaces;
  if (e.skips && e.skips.length > 0) out.skips = [...e.skips];
  if (e.skipRange) out.skipRange = e.skipRange;
  return out;
}

function bundleBlob(b: FbcBundle): Record<string, unknown> {
  const out: Record<string, unknown> = { schema: b.schema };
  if (b.name) out.name = b.name;
  if (b.package) out.package = b.package;
  out.image = b.image;
  if (b.properties.length > 0) out.properties = b.properties.map(propertyBlob);
  if (b.relatedImages && b.relatedImages.length > 0)
    out.relatedImages = b.relatedImages.map((r) => ({ name: r.name, image: r.image }));
  return out;
}

function propertyBlob(p: Property): Record<string, unknown> {
  return { type: p.type, value: p.value === undefined ? null : p.value };
}

/** Go writes a Meta as the map it read: keys sorted at every level. */
function metaBlob(m: FbcMeta): unknown {
  return sortedKeys(m.blob);
}

/** operator-registry's Deprecation struct: schema, package, entries[{reference{schema,name}, message}]. */
function deprecationBlob(m: FbcMeta): unknown {
  const entries = Array.isArray(m.blob.entries) ? m.blob.entries : null;
  return {
    schema: m.schema,
    package: m.package ?? '',
    entries:
      entries?.map((e: unknown) => {
        const entry = (e ?? {}) as Record<string, unknown>;
        const ref = (entry.reference ?? {}) as Record<string, unknown>;
        const reference: Record<string, unknown> = {
          schema: typeof ref.schema === 'string' ? ref.schema : '',
        };
        if (typeof ref.name === 'string' && ref.name) reference.name = ref.name;
        return { reference, message: typeof entry.message === 'string' ? entry.message : '' };
      }) ?? null,
  };
}

/** The value as Go's map encoding writes it: every object's keys sorted. */
export function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const out = new SortedKeys();
    for (const k of Object.keys(record).sort(compareStrings)) out[k] = sortedKeys(record[k]);
    return out;
  }
  return value;
}

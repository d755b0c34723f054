/**
 * Reads an FBC folder the way operator-registry's `declcfg.LoadFS` does
 * (`alpha/declcfg/load.go`): every file not matched by an `.indexignore` is a
 * stream of blobs — JSON objects one after another when it starts with `{`,
 * else YAML documents separated by `---` lines — and each blob goes by its
 * `schema` into packages, channels, bundles or others. Go decodes a blob into
 * a map first, so blobs kept as read (others, property values) come back with
 * their keys sorted, and known fields match case-insensitively as Go's JSON
 * decoder does. opm's messages don't name the file; ours add it in front.
 * Bounded: blob count and nesting depth are capped; any failure is a
 * CatalogLoadError, never a crash.
 */

import { isDocument, parseAllDocuments } from 'yaml';
import { fromBase64, toBase64 } from '../base64.js';
import { CatalogValidationError } from '../errors.js';
import type { FileEntry } from '../files.js';
import { comparePaths, goJson, sortedKeys } from './declcfg-write.js';
import {
  type ChannelEntry,
  type DeclarativeConfig,
  emptyConfig,
  type FbcBundle,
  type FbcChannel,
  type FbcIcon,
  type FbcPackage,
  type Property,
  type RelatedImage,
  SCHEMA,
} from './fbc.js';
import { arr, field, fold, goKind, obj, str, typeError } from './go-struct.js';
import { indexIgnoreMatcher } from './index-ignore.js';

/** Most blobs one catalog may hold (a large public catalog has ~20 000). */
export const MAX_BLOBS = 200_000;
/** Deepest nesting of objects and arrays in one blob. */
export const MAX_DEPTH = 256;

const INDEX_IGNORE = '.indexignore';

/** A catalog folder that cannot be read as FBC: its message is opm's, after the file's path. */
export class CatalogLoadError extends CatalogValidationError {
  constructor(message: string) {
    super(message, { errors: [message], warnings: [] });
  }
}

export function loadConfig(files: readonly FileEntry[]): DeclarativeConfig {
  const ignored = indexIgnoreMatcher(
    files.filter((f) => baseName(f.path) === INDEX_IGNORE).map((f) => ({ path: f.path, text: decode(f) })),
  );
  const config = emptyConfig();
  let count = 0;
  const sorted = [...files].sort((a, b) => comparePaths(a.path, b.path));
  for (const file of sorted) {
    if (baseName(file.path) === INDEX_IGNORE || ignored(file.path)) continue;
    try {
      for (const blob of blobsOf(decode(file))) {
        if (++count > MAX_BLOBS) throw new Error(`more than ${MAX_BLOBS} blobs`);
        addBlob(config, blob);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new CatalogLoadError(`${file.path}: ${message}`);
    }
  }
  return config;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function decode(file: FileEntry): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(file.data);
  } catch {
    throw new CatalogLoadError(`${file.path}: not valid UTF-8 text`);
  }
}

/** k8s YAMLOrJSONDecoder: a JSON stream when the text starts with `{`, else YAML documents. */
function* blobsOf(text: string): Generator<unknown> {
  for (const segment of blobSegments(text)) if (segment.isBlob) yield segment.blob;
}

/** A piece of a catalog file; the pieces of a file concatenate back to its text. */
export interface TextSegment {
  text: string;
  /** Whether this piece is one blob (a JSON value, or a YAML document with its `---` line). */
  isBlob: boolean;
  blob?: unknown;
}

/**
 * A file's text cut into its blobs and what lies between them, so a blob can
 * be cut out and every other byte kept. Throws on text opm cannot read.
 */
export function blobSegments(text: string): TextSegment[] {
  const lead = /^\uFEFF?\s*/.exec(text)?.[0] ?? '';
  const segments: TextSegment[] = [];
  if (text.slice(lead.length).startsWith('{')) {
    let at = 0;
    for (const [start, end] of jsonValueRanges(text, lead.length)) {
      if (start > at) segments.push({ text: text.slice(at, start), isBlob: false });
      const slice = text.slice(start, end);
      segments.push({ text: slice, isBlob: true, blob: JSON.parse(slice) });
      at = end;
    }
    if (at < text.length) segments.push({ text: text.slice(at), isBlob: false });
    return segments;
  }
  for (const doc of yamlDocuments(text)) {
    segments.push(
      doc.body === undefined
        ? { text: doc.text, isBlob: false }
        : { text: doc.text, isBlob: true, blob: yamlValue(doc.body) },
    );
  }
  return segments;
}

/**
 * Where each value of a stream of JSON values (as Go's json.Decoder reads them)
 * starts and ends; an object or array nested deeper than MAX_DEPTH throws,
 * before anything recursive walks it.
 *
 * One pass over char codes that jumps over each string to its closing quote
 * with indexOf: catalogs are mostly long strings (CSV descriptions), and a
 * publish reads the whole catalog. Measured on the 3.8 MB catalog of 100
 * packages × 10 bundles that `npm run bench` seeds (best of 40 runs on the
 * 2-core dev machine): loadConfig 41 ms with the former char-by-char scan
 * plus a second depth-checking pass, 30 ms with this one.
 */
function* jsonValueRanges(text: string, from: number): Generator<[number, number]> {
  let i = from;
  const n = text.length;
  const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
  while (i < n) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) return;
    const start = i;
    const c = text.charCodeAt(i);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      let depth = 0;
      for (; ; i++) {
        if (i >= n) throw new Error('unexpected EOF');
        const ch = text.charCodeAt(i);
        if (ch === QUOTE) {
          i = closingQuote(text, i);
          if (i < 0) throw new Error('unexpected EOF');
        } else if (ch === OPEN_BRACE || ch === OPEN_BRACKET) {
          if (++depth > MAX_DEPTH) throw new Error(`nesting deeper than ${MAX_DEPTH}`);
        } else if ((ch === CLOSE_BRACE || ch === CLOSE_BRACKET) && --depth === 0) {
          i++;
          break;
        }
      }
    } else if (c === QUOTE) {
      const end = closingQuote(text, i);
      i = end < 0 ? n : end + 1;
    } else {
      while (i < n && !isSpace(text.charCodeAt(i)) && !'{["'.includes(text.charAt(i))) i++;
      if (i === start) i++;
    }
    yield [start, i];
  }
}

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

/** Where the string opened at `open` closes (its `"` not escaped by an odd run of backslashes); -1: never. */
function closingQuote(text: string, open: number): number {
  for (let from = open + 1; ; ) {
    const q = text.indexOf('"', from);
    if (q < 0) return -1;
    let b = q - 1;
    while (b > open && text.charCodeAt(b) === BACKSLASH) b--;
    if ((q - 1 - b) % 2 === 0) return q;
    from = q + 1;
  }
}

/**
 * k8s YAMLReader: a line starting with `---` ends a document (only spaces or
 * a comment may follow it); empty documents are skipped. Each piece is a
 * document with the separator line before it (`body` undefined for pieces
 * holding no document).
 */
function* yamlDocuments(text: string): Generator<{ text: string; body?: string }> {
  let pending = '';
  let buffer: string[] = [];
  const flush = function* (): Generator<{ text: string; body?: string }> {
    if (buffer.length > 0) yield { text: pending + buffer.join(''), body: buffer.join('') };
    else if (pending) yield { text: pending };
    pending = '';
    buffer = [];
  };
  for (const line of text.split(/(?<=\n)/)) {
    if (line.startsWith('---')) {
      const rest = line.slice(3).trim();
      if (rest.length > 0 && !rest.startsWith('#'))
        throw new Error(`invalid Yaml document separator: ${rest}`);
      yield* flush();
      pending = line;
      continue;
    }
    buffer.push(line);
  }
  yield* flush();
}

/** One YAML document as go-yaml v2 reads it (YAML 1.1, timestamps kept as strings). */
function yamlValue(text: string): unknown {
  const docs = parseAllDocuments(text, {
    version: '1.1',
    merge: true,
    // go-yaml v2 (not strict) lets a repeated key overwrite the earlier one.
    uniqueKeys: false,
    customTags: (tags) =>
      tags.filter((t) => typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:timestamp'),
  });
  const list = Array.isArray(docs) ? docs : [docs];
  const doc = list[0];
  if (!doc || !isDocument(doc)) return null;
  const problem = doc.errors[0];
  if (problem) throw new Error(`error converting YAML to JSON: ${problem.message.split('\n')[0]}`);
  const value = doc.toJS({ maxAliasCount: 100 });
  checkDepthOf(value);
  return value;
}

function checkDepthOf(value: unknown): void {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_DEPTH) throw new Error(`nesting deeper than ${MAX_DEPTH}`);
    for (const child of Object.values(v as object)) stack.push([child, depth + 1]);
  }
}

function addBlob(config: DeclarativeConfig, raw: unknown): void {
  if (raw === null || raw === undefined) throw new Error("object '' is missing root schema field");
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new Error(
      `json: cannot unmarshal ${Array.isArray(raw) ? 'array' : goKind(raw)} into Go value of type map[string]interface {}`,
    );
  const record = raw as Record<string, unknown>;
  const byFold = new Map<string, string[]>();
  for (const key of Object.keys(record)) {
    const f = fold(key);
    byFold.set(f, [...(byFold.get(f) ?? []), key]);
  }
  const duplicates = [...byFold.entries()].filter(([, keys]) => keys.length > 1);
  if (duplicates.length > 0)
    throw new Error(
      duplicates
        .map(([f, keys]) => `duplicate keys for key ${JSON.stringify(f)}: [${keys.sort().join(' ')}]`)
        .join(', '),
    );
  const meta = (name: string): string => {
    const key = byFold.get(name)?.[0];
    if (key === undefined) return '';
    const v = record[key];
    if (typeof v !== 'string')
      throw new Error(`expected value for key ${JSON.stringify(key)} to be a string, got ${goJson(v)}`);
    return v;
  };
  const schema = meta('schema');
  const pkg = meta('package');
  const name = meta('name');
  const blob = sortedKeys(record) as Record<string, unknown>;
  switch (schema) {
    case SCHEMA.package:
      config.packages.push(wrap('parse package', () => packageOf(blob)));
      return;
    case SCHEMA.channel:
      config.channels.push(wrap('parse channel', () => channelOf(blob)));
      return;
    case SCHEMA.bundle: {
      const bundle = wrap('parse bundle', () => bundleOf(blob));
      wrap('read bundle objects', () => readBundleObjects(bundle));
      config.bundles.push(bundle);
      return;
    }
    case '':
      throw new Error(`object '${goJson(blob)}\n' is missing root schema field`);
    default: {
      const other: DeclarativeConfig['others'][number] = { schema, blob };
      if (pkg) other.package = pkg;
      if (name) other.name = name;
      config.others.push(other);
    }
  }
}

function wrap<T>(prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw new Error(`${prefix}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function packageOf(blob: Record<string, unknown>): FbcPackage {
  const p: FbcPackage = { schema: SCHEMA.package, name: str(blob, 'name', 'Package.name') };
  p.defaultChannel = str(blob, 'defaultChannel', 'Package.defaultChannel');
  const icon = obj(field(blob, 'icon'), 'Package.icon', 'declcfg.Icon');
  if (icon) p.icon = iconOf(icon);
  const description = str(blob, 'description', 'Package.description');
  if (description) p.description = description;
  const properties = propertiesOf(field(blob, 'properties'), 'Package.properties');
  if (properties.length > 0) p.properties = properties;
  return p;
}

function iconOf(icon: Record<string, unknown>): FbcIcon {
  return {
    base64data: goBytes(field(icon, 'base64data'), 'Package.icon.base64data'),
    mediatype: str(icon, 'mediatype', 'Package.icon.mediatype'),
  };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A Go []byte field: standard base64 (line breaks ignored), written back canonically. */
function goBytes(v: unknown, where: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw typeError(v, where, '[]uint8');
  const text = v.replace(/[\r\n]/g, '');
  if (!BASE64.test(text)) throw new Error(`illegal base64 data at input byte ${firstBadBase64Byte(text)}`);
  return toBase64(fromBase64(text));
}

function firstBadBase64Byte(text: string): number {
  for (let i = 0; i < text.length; i++) if (!/[A-Za-z0-9+/]/.test(text.charAt(i))) return i;
  return text.length - (text.length % 4);
}

function propertiesOf(v: unknown, where: string): Property[] {
  return arr(v, where, '[]property.Property').map((item) => {
    const p = obj(item, where, 'property.Property') ?? {};
    const out: Property = { type: str(p, 'type', `${where}.type`), value: field(p, 'value') ?? null };
    return out;
  });
}

function channelOf(blob: Record<string, unknown>): FbcChannel {
  const c: FbcChannel = {
    schema: SCHEMA.channel,
    name: str(blob, 'name', 'Channel.name'),
    package: str(blob, 'package', 'Channel.package'),
    entries: arr(field(blob, 'entries'), 'Channel.entries', '[]declcfg.ChannelEntry').map((item) =>
      entryOf(obj(item, 'Channel.entries', 'declcfg.ChannelEntry') ?? {}),
    ),
  };
  const properties = propertiesOf(field(blob, 'properties'), 'Channel.properties');
  if (properties.length > 0) c.properties = properties;
  return c;
}

function entryOf(e: Record<string, unknown>): ChannelEntry {
  const entry: ChannelEntry = { name: str(e, 'name', 'Channel.entries.name') };
  const replaces = str(e, 'replaces', 'Channel.entries.replaces');
  if (replaces) entry.replaces = replaces;
  const skips = arr(field(e, 'skips'), 'Channel.entries.skips', '[]string').map((s) => {
    if (s === null) return '';
    if (typeof s !== 'string') throw typeError(s, 'Channel.entries.skips', 'string');
    return s;
  });
  if (skips.length > 0) entry.skips = skips;
  const skipRange = str(e, 'skipRange', 'Channel.entries.skipRange');
  if (skipRange) entry.skipRange = skipRange;
  return entry;
}

function bundleOf(blob: Record<string, unknown>): FbcBundle {
  const b: FbcBundle = {
    schema: SCHEMA.bundle,
    name: str(blob, 'name', 'Bundle.name'),
    package: str(blob, 'package', 'Bundle.package'),
    image: str(blob, 'image', 'Bundle.image'),
    properties: propertiesOf(field(blob, 'properties'), 'Bundle.properties'),
  };
  const related: RelatedImage[] = arr(
    field(blob, 'relatedImages'),
    'Bundle.relatedImages',
    '[]declcfg.RelatedImage',
  ).map((item) => {
    const r = obj(item, 'Bundle.relatedImages', 'declcfg.RelatedImage') ?? {};
    return {
      name: str(r, 'name', 'Bundle.relatedImages.name'),
      image: str(r, 'image', 'Bundle.relatedImages.image'),
    };
  });
  if (related.length > 0) b.relatedImages = related;
  return b;
}

/** load.go's readBundleObjects: each `olm.bundle.object` value must hold base64 `data`. */
function readBundleObjects(b: FbcBundle): void {
  b.properties.forEach((p, i) => {
    if (p.type !== 'olm.bundle.object') return;
    try {
      const value = obj(p.value, 'property.BundleObject', 'property.BundleObject') ?? {};
      goBytes(field(value, 'data'), 'BundleObject.data');
    } catch (error) {
      throw new Error(
        `package ${JSON.stringify(b.package)}, bundle ${JSON.stringify(b.name)}: parse property at index ${i} as bundle object: ${(error as Error).message}`,
      );
    }
  });
}

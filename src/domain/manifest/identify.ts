/**
 * Identifying the bundle's files (SPEC §6): each YAML file is decoded, has
 * `replace_registry` applied to its text and is parsed exactly once; then it is
 * a package, a CSV, a CRD or ignored. Other files travel along unparsed.
 */

import type { Schema } from 'js-yaml';
import type { FileEntry } from '../files.js';
import type { RegistryReplacement } from '../organization-policy.js';
import { type TextCodec, webTextCodec } from '../text-codec.js';
import { isRecord } from '../values.js';
import { replaceRegistries } from './policies.js';
import { decodeUtf8, parseYaml } from './yaml-parse.js';

export type ManifestKind = 'package' | 'csv' | 'crd' | 'other';

export type Manifest = Record<string, unknown>;

export interface BundleFile {
  readonly path: string;
  /** Folder part of `path` ('' at the root). */
  readonly dir: string;
  /** Last path segment. */
  readonly name: string;
  /** Bytes to push when nothing later rewrites the file. */
  readonly data: Uint8Array;
  /** Decoded text after replace_registry (package files only: the suffix rewrites it). */
  readonly text?: string;
  /** Parsed document when it is a mapping (package, CSV, CRD or other mapping). */
  readonly manifest?: Manifest;
  readonly kind: ManifestKind;
}

const YAML_FILE = /\.ya?ml$/i;

export function isYamlPath(path: string): boolean {
  return YAML_FILE.test(path);
}

export function classify(doc: unknown): ManifestKind {
  if (!isRecord(doc)) return 'other';
  if (Object.hasOwn(doc, 'packageName')) return 'package';
  if (doc.kind === 'ClusterServiceVersion') return 'csv';
  if (doc.kind === 'CustomResourceDefinition') return 'crd';
  return 'other';
}

export function identifyFiles(
  files: readonly FileEntry[],
  replacements: readonly RegistryReplacement[],
  codec: TextCodec = webTextCodec,
  schema?: Schema,
): BundleFile[] {
  const replace = replaceRegistries(replacements);
  return files.map((file) => {
    const slash = file.path.lastIndexOf('/');
    const dir = slash < 0 ? '' : file.path.slice(0, slash);
    const name = file.path.slice(slash + 1);
    if (!isYamlPath(file.path)) return { path: file.path, dir, name, data: file.data, kind: 'other' };
    const original = decodeUtf8(file.path, file.data, codec);
    const text = replace(original);
    const data = text === original ? file.data : codec.encode(text);
    const doc = parseYaml(file.path, text, schema);
    const kind = classify(doc);
    if (!isRecord(doc)) return { path: file.path, dir, name, data, kind };
    return kind === 'package'
      ? { path: file.path, dir, name, data, text, manifest: doc, kind }
      : { path: file.path, dir, name, data, manifest: doc, kind };
  });
}

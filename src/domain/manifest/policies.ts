/**
 * The organization policies of SPEC §6 that rewrite manifests:
 * replace_registry (on text), package_name_suffix (package file, keeping its
 * comments and key order) and csv_annotations (on the parsed CSV).
 */
import { isScalar, parseAllDocuments } from 'yaml';
import type { CsvAnnotation, RegistryReplacement } from '../organization-policy.js';
import { pythonSubstitution } from '../python-regexp.js';
import { isRecord } from '../values.js';
import { invalidYaml } from './yaml-parse.js';

/** Builds the text rewrite for all replacements, in order. */
export function replaceRegistries(replacements: readonly RegistryReplacement[]): (text: string) => string {
  if (replacements.length === 0) return (text) => text;
  const steps = replacements.map((r): ((text: string) => string) => {
    // Python `re` syntax, as the original ran it; compiled once per rule (config load checks it).
    if (r.regexp) return pythonSubstitution(r.old, r.new);
    if (r.old === '') return (text) => text;
    // A function replacer keeps `$&`-style sequences in `new` literal.
    return (text) => (text.includes(r.old) ? text.replaceAll(r.old, () => r.new) : text);
  });
  return (text) => steps.reduce((acc, step) => step(acc), text);
}

/** `name` with `suffix` appended unless it already ends with it. */
export function withSuffix(name: string, suffix: string | undefined): string {
  return suffix && !name.endsWith(suffix) ? name + suffix : name;
}

/**
 * Rewrites the package file's `packageName` with yaml's Document API, which
 * keeps comments, key order and the scalar's quoting style. (A trailing empty
 * document, which the parser accepts, is kept too.)
 */
export function rewritePackageName(path: string, text: string, packageName: string): string {
  const docs = parseAllDocuments(text, { uniqueKeys: false, prettyErrors: false });
  const first = Array.isArray(docs) && docs.every((d) => d.errors.length === 0) ? docs[0] : undefined;
  const node = first?.get('packageName', true);
  if (!isScalar(node) || !Array.isArray(docs)) {
    throw invalidYaml(path, 'the package file could not be rewritten.');
  }
  node.value = packageName;
  return docs.map((doc) => doc.toString({ lineWidth: 0 })).join('');
}

/**
 * A copy of the CSV with every annotation set (`{package_name}` → the final
 * package name); the parsed original is not modified. A CSV without a
 * `metadata` mapping is left alone (validation reports it).
 */
export function annotateCsv(
  csv: Record<string, unknown>,
  annotations: readonly CsvAnnotation[],
  packageName: string,
): Record<string, unknown> {
  const metadata = csv.metadata;
  if (annotations.length === 0 || !isRecord(metadata)) return csv;
  const current = isRecord(metadata.annotations) ? metadata.annotations : {};
  const next: Record<string, unknown> = { ...current };
  for (const { name, value } of annotations) {
    defineValue(next, name, value.replaceAll('{package_name}', packageName));
  }
  const nextMetadata = { ...metadata };
  defineValue(nextMetadata, 'annotations', next);
  const copy = { ...csv };
  defineValue(copy, 'metadata', nextMetadata);
  return copy;
}

/** Sets an own, enumerable property even for `__proto__`. */
function defineValue(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

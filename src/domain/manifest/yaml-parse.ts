/**
 * Bounded YAML parsing for untrusted manifests (SPEC §6): strict UTF-8,
 * nesting capped, what aliases expand to measured, every failure
 * turned into a PackageValidationError with operator-courier's words
 * (`Failed to push manifest: Courier requires valid input YAML files`, as
 * the original answered) and, in `validation_info.errors`, the file, the
 * line and column, and what the parser said.
 *
 * Multi-document files: operator-courier loads one document per file. We take
 * the first document and accept further documents only when they are empty
 * (a trailing `---`); a second non-empty document is an error naming the file.
 */
import jsYaml, { CORE_SCHEMA, loadAll, type Schema, type Type, YAMLException } from 'js-yaml';
import { PackageValidationError } from '../errors.js';
import { MALFORMED_YAML } from '../original-messages.js';
import { type TextCodec, webTextCodec } from '../text-codec.js';

/** Deepest collection nesting accepted, aliases included. */
export const MAX_YAML_DEPTH = 256;
/** Expanded node count accepted for a file that uses aliases (at least this, or 4× its own size). */
export const MIN_EXPANDED_NODES = 100_000;

/** YAML 1.2 core schema plus `<<` merge keys (PyYAML, which operator-courier used, supports them). */
// The typings omit js-yaml's `types` table; `merge` is in it at run time.
const mergeType = (jsYaml as unknown as { types: { merge: Type } }).types.merge;
const SCHEMA = CORE_SCHEMA.extend({ implicit: [mergeType] });

export function decodeUtf8(path: string, data: Uint8Array, text: TextCodec = webTextCodec): string {
  try {
    return text.decode(data);
  } catch {
    throw invalidYaml(path, 'the file is not valid UTF-8 text.');
  }
}

/**
 * Parses `text` and returns its (first) document; `null` for an empty file.
 * js-yaml shares the object of an anchor between its aliases (no copies), so
 * what aliases could expand to is measured on the result before anything
 * walks or emits it. `schema`: how plain scalars resolve (catalog rendering
 * reads YAML as Kubernetes does).
 */
export function parseYaml(path: string, text: string, schema: Schema = SCHEMA): unknown {
  let documents: unknown[];
  try {
    // json: PyYAML keeps the last of duplicated keys instead of failing.
    // maxDepth: js-yaml's own nesting limit (not in its typings).
    const options = { schema, json: true, filename: path, maxDepth: MAX_YAML_DEPTH };
    documents = loadAll(text, undefined, options);
  } catch (error) {
    throw invalidYaml(path, describe(error));
  }
  const [first = null, ...rest] = documents;
  if (rest.some((doc) => doc !== null)) {
    throw invalidYaml(path, 'expected a single document in the stream, but found more');
  }
  if (mayHaveAliases(text)) checkExpansion(path, first, Math.max(MIN_EXPANDED_NODES, text.length));
  return first;
}

/** A file that is not valid YAML: courier's words, and which file and why in `validation_info.errors`. */
export function invalidYaml(path: string, reason: string): PackageValidationError {
  return new PackageValidationError(MALFORMED_YAML, {
    errors: [`Invalid YAML file "${path}": ${reason}`],
    warnings: [],
  });
}

function describe(error: unknown): string {
  if (error instanceof YAMLException) {
    const where = error.mark ? ` (line ${error.mark.line + 1}, column ${error.mark.column + 1})` : '';
    return `${error.reason}${where}`;
  }
  if (error instanceof RangeError) return 'the document is too large or too deeply nested';
  return 'the document could not be parsed';
}

/** An anchor (`&name`) and an alias (`*name`) both somewhere in the text; a false positive only costs a walk. */
const ANCHOR = /&[^\s,[\]{}]/;
const ALIAS = /\*[^\s,[\]{}]/;

/**
 * Without aliases nothing is shared: each node takes at least one character
 * of the text (so the size bound cannot be passed) and js-yaml's maxDepth
 * already bounds the nesting. Only a text with both needs the walk, which
 * costs more than the parse itself on a large manifest. (`includes` first:
 * a native search, several times faster than the regular expressions over
 * a multi-MB text that has neither character.)
 */
function mayHaveAliases(text: string): boolean {
  return text.includes('&') && text.includes('*') && ANCHOR.test(text) && ALIAS.test(text);
}

/**
 * Aliases make the parsed value a graph whose expansion can be exponential
 * ("billion laughs") or cyclic. Measure it once, memoized per node, before
 * anything walks or emits it.
 */
function checkExpansion(path: string, root: unknown, maxNodes: number): void {
  const IN_PROGRESS = -1;
  const sizes = new Map<object, number>();
  const depths = new Map<object, number>();
  const visit = (value: unknown, depth: number): number => {
    if (value === null || typeof value !== 'object') return 1;
    const known = sizes.get(value);
    if (known === IN_PROGRESS) throw invalidYaml(path, 'recursive aliases are not supported');
    if (known !== undefined) {
      if (depth + (depths.get(value) ?? 0) > MAX_YAML_DEPTH) throw tooDeep();
      return known;
    }
    if (depth > MAX_YAML_DEPTH) throw tooDeep();
    sizes.set(value, IN_PROGRESS);
    let size = 1;
    let below = 0;
    const children = Array.isArray(value) ? value : Object.values(value);
    for (const child of children) {
      size += visit(child, depth + 1);
      if (size > maxNodes) throw invalidYaml(path, 'aliases expand to a document that is too large');
      if (child !== null && typeof child === 'object') below = Math.max(below, 1 + (depths.get(child) ?? 0));
    }
    sizes.set(value, size);
    depths.set(value, below);
    return size;
  };
  const tooDeep = () =>
    invalidYaml(path, `aliases expand to a document nested deeper than ${MAX_YAML_DEPTH} levels`);
  visit(root, 0);
}

/**
 * JSON the way operator-registry's Go code writes it, where the bytes matter:
 * opm sorts a bundle's properties by their JSON text and base64-encodes each
 * manifest's JSON into `olm.bundle.object`. Go's encoding/json writes maps with
 * their keys sorted (byte order), escapes `<`, `>`, `&` unless told not to,
 * and always escapes U+2028/U+2029; otherwise it matches JSON.stringify.
 */

export interface GoJsonOptions {
  /** Go's json.Marshal (true) or opm's property encoder with SetEscapeHTML(false). */
  readonly escapeHtml: boolean;
  /** Mappings written with their keys sorted, as Go writes a map (false: as given, as Go writes a struct). */
  readonly sortKeys: boolean;
}

const HTML_AND_SEPARATORS = /[<>&\u2028\u2029]/g;
const SEPARATORS = /[\u2028\u2029]/g;
const ESCAPES: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * The compact JSON text Go would write for `value` (parsed YAML or JSON:
 * mappings, lists, strings, numbers, booleans, null). Written here rather
 * than by JSON.stringify of a sorted copy: a JavaScript object lists
 * integer-like keys ("2", "10") first whatever the insertion order. The
 * characters escaped can only occur inside strings, so escaping the whole
 * text is safe.
 */
export function goJson(value: unknown, options: GoJsonOptions): string {
  const text = options.sortKeys ? sortedJson(value) : (JSON.stringify(value) ?? 'null');
  return text.replace(options.escapeHtml ? HTML_AND_SEPARATORS : SEPARATORS, (c) => ESCAPES[c]!);
}

function sortedJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members: string[] = [];
  for (const key of Object.keys(record).sort(compareGoStrings)) {
    if (record[key] === undefined) continue;
    members.push(`${JSON.stringify(key)}:${sortedJson(record[key])}`);
  }
  return `{${members.join(',')}}`;
}

/** A copy of `value` whose mappings list their keys in Go's map order (shared nodes copied once). */
export function sortedKeys(value: unknown, seen = new Map<object, unknown>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  const known = seen.get(value);
  if (known !== undefined) return known;
  let copy: unknown;
  if (Array.isArray(value)) {
    copy = value.map((item) => sortedKeys(item, seen));
  } else {
    const record = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(record).sort(compareGoStrings)) out[key] = sortedKeys(record[key], seen);
    copy = out;
  }
  seen.set(value, copy);
  return copy;
}

/**
 * Go compares strings by their UTF-8 bytes, which is code point order;
 * JavaScript's `<` compares UTF-16 units, which differs for characters
 * above U+FFFF against U+E000–U+FFFF.
 */
export function compareGoStrings(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) return codePointRank(x) - codePointRank(y);
    return x - y;
  }
  return a.length - b.length;
}

/** Surrogates (the units of code points above U+FFFF) rank after every other unit. */
function codePointRank(unit: number): number {
  return unit >= 0xd800 && unit <= 0xdfff ? unit + 0x10000 : unit;
}

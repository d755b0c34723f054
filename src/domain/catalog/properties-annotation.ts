/**
 * A CSV's `olm.properties` annotation: a JSON list of `{type, value}`. opm
 * keeps each value as the raw JSON text it was written with (Go's
 * json.RawMessage) and sorts a bundle's properties by that text, so the raw
 * text is kept here too. A text that is not such a list is ignored, as opm
 * ignores it (with a warning in its log). A value nested deeper than the
 * YAML parser allows is refused: the writers walk it recursively.
 */
import { MAX_YAML_DEPTH } from '../manifest/yaml-parse.js';
import { RenderError } from './render-error.js';

export interface AnnotatedProperty {
  readonly type: string;
  /** The value's JSON text as written ('' when the entry has no value). */
  readonly raw: string;
}

export function annotatedProperties(text: string): AnnotatedProperty[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  // The text is valid JSON from here on: the scanner only finds where each value ends.
  const out: AnnotatedProperty[] = [];
  let i = skipSpace(text, text.indexOf('[') + 1);
  while (i < text.length && text[i] !== ']') {
    if (text[i] !== '{') return undefined;
    let type: unknown;
    let raw = '';
    i = skipSpace(text, i + 1);
    while (i < text.length && text[i] !== '}') {
      const keyEnd = endOfValue(text, i);
      const key = JSON.parse(text.slice(i, keyEnd)) as string;
      const start = skipSpace(text, skipSpace(text, keyEnd) + 1);
      const end = endOfValue(text, start);
      // Go keeps the last of repeated keys, as JSON.parse does.
      if (key === 'type') type = JSON.parse(text.slice(start, end));
      else if (key === 'value') raw = text.slice(start, end);
      i = skipSpace(text, end);
      if (text[i] === ',') i = skipSpace(text, i + 1);
    }
    if (typeof type !== 'string') return undefined;
    out.push({ type, raw });
    i = skipSpace(text, i + 1);
    if (text[i] === ',') i = skipSpace(text, i + 1);
  }
  return out;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r'))
    i++;
  return i;
}

/** The index just past the JSON value starting at `i` (a string, a number, a literal or a nested value). */
function endOfValue(text: string, i: number): number {
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (c === '"') {
      j = endOfString(text, j) - 1;
      if (depth === 0) return j + 1;
    } else if (c === '{' || c === '[') {
      if (++depth > MAX_YAML_DEPTH) {
        throw new RenderError(
          `The olm.properties annotation is nested deeper than ${MAX_YAML_DEPTH} levels.`,
        );
      }
    } else if (c === '}' || c === ']') {
      if (depth === 0) return j;
      depth--;
      if (depth === 0) return j + 1;
    } else if (depth === 0 && (c === ',' || c === ' ' || c === '\t' || c === '\n' || c === '\r')) {
      return j;
    }
  }
  return text.length;
}

function endOfString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === '"') return j + 1;
  }
  return text.length;
}

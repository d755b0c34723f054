/**
 * Unknown configuration keys (SPEC §9): a typo such as `request_timout` must
 * stop start-up, not be silently dropped. The known keys at each level are
 * read from the zod schema itself, so a key added to the schema is known
 * everywhere at once, and every object at every level is strict, whether or
 * not its schema says `.strict()`. Objects inside a union are left to the
 * schema (which branch a value meant is the schema's call).
 */
import type { z } from 'zod';

/** The parts of zod's internal definition this walk reads (zod 4 `_zod.def`). */
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  valueType?: z.ZodType;
  element?: z.ZodType;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Wrappers whose input is their inner schema's input. */
function unwrap(schema: z.ZodType): z.ZodType {
  for (let current = schema; ; ) {
    const def = defOf(current);
    const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (!inner) return current;
    current = inner;
  }
}

/**
 * One message per key of `value` that its schema does not know, with its
 * full path: `organizations.myorg.replace_regsitry: unknown key; did you mean replace_registry?`.
 */
export function unknownKeys(
  schema: z.ZodType,
  value: unknown,
  path: readonly (string | number)[] = [],
): string[] {
  if (value === null || typeof value !== 'object') return [];
  const def = defOf(unwrap(schema));
  const out: string[] = [];
  const entries = Object.entries(value as Record<string, unknown>);
  if (def.type === 'object' && def.shape && !Array.isArray(value)) {
    const known = Object.keys(def.shape);
    for (const [key, child] of entries) {
      const childSchema = def.shape[key];
      if (childSchema) out.push(...unknownKeys(childSchema, child, [...path, key]));
      else out.push(unknownKeyMessage([...path, key].join('.'), key, known));
    }
  } else if (def.type === 'record' && def.valueType && !Array.isArray(value)) {
    for (const [key, child] of entries) out.push(...unknownKeys(def.valueType, child, [...path, key]));
  } else if (def.type === 'array' && def.element && Array.isArray(value)) {
    for (const [i, child] of value.entries()) out.push(...unknownKeys(def.element, child, [...path, i]));
  }
  return out;
}

function unknownKeyMessage(where: string, key: string, known: readonly string[]): string {
  const suggestion = closest(key, known);
  const shown = where.length > 200 ? `${where.slice(0, 200)}…` : where;
  return `${shown}: unknown key${suggestion ? `; did you mean ${suggestion}?` : ''}`;
}

/** The known key nearest to `key`, if near enough to be a typo of it (about one edit in three letters). */
export function closest(key: string, known: readonly string[]): string | undefined {
  const wanted = key.toLowerCase();
  if (wanted.length > 64) return undefined; // no key is that long; not worth comparing
  const limit = Math.max(1, Math.floor(wanted.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of known) {
    const d = editDistance(wanted, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Edits (insert, delete, substitute, swap two neighbours) between `a` and `b`; keys are short. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[0]![j] = j;
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}

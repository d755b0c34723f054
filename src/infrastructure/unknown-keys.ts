/**
 * Unknown configuration keys (SPEC §9): a typo such as `request_timout` must
 * stop start-up, not be silently dropped. Every object of the configuration
 * schema is built here, as zod's own strict object: zod reports the keys it
 * does not know as one `unrecognized_keys` issue per object, with the full
 * path, and this object's error message adds the closest known key of its
 * shape (zod's own message lists the keys only).
 */
import { z } from 'zod';

/** `z.strictObject(shape)` whose unrecognized keys are answered one by one, each with a suggestion. */
export function strictObject<const Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys
            .map((key) => unknownKeyMessage([...(issue.path ?? []), key].map(String).join('.'), key, known))
            .join('; ')
        : undefined,
  });
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

/** Small value helpers shared by every layer (Web-standard, no I/O). */

/** A plain mapping: an object that is neither null nor a list (parsed JSON or YAML). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `1500` → `1.5 s`, `200` → `200 ms`: durations in messages, as a person reads them. */
export function formatDuration(ms: number): string {
  return ms >= 1000 && ms % 100 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** The text with its first letter upper-cased (a reason that starts a message). */
export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

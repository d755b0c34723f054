/** Naming a connection failure without quoting the platform's message (which may hold URLs or values). */
import { isRecord } from '../../domain/values.js';

/** ` (ECONNREFUSED)` from the cause chain of fetch's "fetch failed" (undici's, or node-http-fetch's), or ''. */
export function errorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    if (!(isRecord(current) || current instanceof Error)) break;
    const record = current as unknown as Record<string, unknown>;
    if (typeof record.code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(record.code)) return ` (${record.code})`;
    current = Array.isArray(record.errors) && record.errors.length > 0 ? record.errors[0] : record.cause;
  }
  return '';
}

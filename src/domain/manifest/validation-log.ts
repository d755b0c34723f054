/** Collects operator-courier style errors and warnings, in order. */
import { isRecord } from '../values.js';
export class ValidationLog {
  readonly errors: string[] = [];
  readonly warnings: string[] = [];

  error(message: string): void {
    this.errors.push(message);
  }

  warning(message: string): void {
    this.warnings.push(message);
  }
}

export type Obj = Record<string, unknown>;

/** A YAML mapping (the shared plain-object test). */
export const isObj: (value: unknown) => value is Obj = isRecord;

/** Python's `key in value` for the dicts operator-courier inspects; non-mappings have no keys. */
export function has(value: unknown, key: string): value is Obj {
  return isObj(value) && Object.hasOwn(value, key);
}

/** `value[key]` when `value` is a mapping. */
export function get(value: unknown, key: string): unknown {
  return has(value, key) ? value[key] : undefined;
}

/**
 * Reading parsed JSON into FBC's Go structs the way encoding/json does, so
 * our verdicts and messages are opm's: a field matches its exact key, else a
 * key equal but for case; null leaves the zero value; a value of the wrong
 * JSON type is "json: cannot unmarshal <kind> into Go struct field <T.f> of
 * type <type>".
 */

/** Go's cases.Fold, for the ASCII keys FBC uses. */
export function fold(key: string): string {
  return key.toLowerCase();
}

export function goKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  return 'object';
}

export function field(record: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(record, name)) return record[name];
  const f = fold(name);
  for (const key of Object.keys(record)) if (fold(key) === f) return record[key];
  return undefined;
}

export function typeError(v: unknown, where: string, goType: string): Error {
  return new Error(`json: cannot unmarshal ${goKind(v)} into Go struct field ${where} of type ${goType}`);
}

export function str(record: Record<string, unknown>, name: string, where: string): string {
  const v = field(record, name);
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw typeError(v, where, 'string');
  return v;
}

export function obj(v: unknown, where: string, goType: string): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw typeError(v, where, goType);
  return v as Record<string, unknown>;
}

export function arr(v: unknown, where: string, goType: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw typeError(v, where, goType);
  return v;
}

/** A whole value that must be a JSON object: "json: cannot unmarshal <kind> into Go value of type <T>". */
export function topObject(v: unknown, goType: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v))
    throw new Error(`json: cannot unmarshal ${goKind(v)} into Go value of type ${goType}`);
  return v as Record<string, unknown>;
}

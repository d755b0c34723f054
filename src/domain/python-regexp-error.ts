/** Why a Python `re` rule cannot be run the same way in JavaScript (or is not valid Python). */
export class PythonRegexpError extends Error {}

export function fail(message: string): never {
  throw new PythonRegexpError(message);
}

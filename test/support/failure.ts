/** Awaits a promise that must fail with a domain error, and returns that error. */
import { OmpsError } from '../../src/domain/errors.js';

export async function failure(p: Promise<unknown>): Promise<OmpsError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof OmpsError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

/** Awaits a promise that must reject, and returns what it rejected with (typed as the caller expects). */
export async function caught<T = unknown>(promise: Promise<unknown>): Promise<T> {
  try {
    await promise;
  } catch (error) {
    return error as T;
  }
  throw new Error('expected a rejection');
}

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

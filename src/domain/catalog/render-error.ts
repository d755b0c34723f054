/**
 * A bundle or package-manifests folder that cannot be rendered into FBC
 * blobs (SPEC §11.1): no annotations, no CSV, YAML that does not parse, a
 * field opm would fail to decode. The message names the file or field. The
 * service skips such a bundle with a warning; `omps render` prints it and
 * exits non-zero.
 */
import type { PackageValidationError } from '../errors.js';

export class RenderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RenderError';
  }
}

/** What a YAML refusal says of the file (the parser's detail, naming file and line), not courier's headline. */
export function yamlReason(error: PackageValidationError): string {
  const info = error.validationInfo;
  const first = 'errors' in info ? info.errors[0] : undefined;
  return first ?? error.message;
}

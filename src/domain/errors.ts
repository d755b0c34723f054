/**
 * The error catalogue (SPEC §2). Every failure the service reports has a stable
 * id, a human message and, for some ids, one extra payload field. No HTTP here:
 * the edge maps ids to statuses in one table.
 */
import { archiveNotInBuild, NO_FILE_FIELD, notAnOperatorImage, nvrNotFound } from './original-messages.js';

export type ErrorId =
  | 'OMPSUploadedFileError'
  | 'OMPSExpectedFileError'
  | 'PackageValidationError'
  | 'OMPSInvalidVersionFormat'
  | 'KojiNotAnOperatorImage'
  | 'GreenwaveUnsatisfiedError'
  | 'OMPSAuthorizationHeaderRequired'
  | 'QuayAuthorizationError'
  | 'KojiNVRBuildNotFound'
  | 'QuayPackageNotFound'
  | 'RequestEntityTooLarge'
  | 'KojiManifestsArchiveNotFound'
  | 'KojiError'
  | 'QuayCourierError'
  | 'QuayPackageError'
  | 'RegistryAuthorizationError'
  | 'RegistryError'
  | 'CatalogValidationError'
  | 'GreenwaveError'
  | 'OMPSServiceBusy'
  | 'OMPSBundleJobTimeout'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'InternalServerError';

export type ExtraField = 'validation_info' | 'quay_response' | 'greenwave_response' | 'registry_response';

export interface ValidationInfo {
  errors: string[];
  warnings: string[];
}

export class OmpsError extends Error {
  constructor(
    readonly id: ErrorId,
    message: string,
    readonly extra?: { field: ExtraField; value: unknown },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = id;
  }
}

/** Quay/Greenwave answers are kept only when they are JSON objects; anything else becomes `{}`. */
function jsonObjectOrEmpty(value: unknown): unknown {
  return value !== null && typeof value === 'object' ? value : {};
}

export class UploadedFileError extends OmpsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('OMPSUploadedFileError', message, undefined, options);
  }
}

export class ExpectedFileError extends OmpsError {
  constructor(message = NO_FILE_FIELD) {
    super('OMPSExpectedFileError', message);
  }
}

export class PackageValidationError extends OmpsError {
  constructor(
    message: string,
    readonly validationInfo: ValidationInfo | Record<string, never> = {},
  ) {
    super('PackageValidationError', message, { field: 'validation_info', value: validationInfo });
  }
}

export class InvalidVersionFormatError extends OmpsError {
  constructor(version: string) {
    super(
      'OMPSInvalidVersionFormat',
      `Version "${version}" is not valid: the expected format is <int>.<int>.<int> (for example 1.0.0), without leading zeros.`,
    );
  }
}

/** SPEC §10: a bundle-image organization tags each image with its CSV's spec.version, never the URL's. */
export class BundleImageVersionError extends OmpsError {
  constructor(organization: string, version: string) {
    super(
      'OMPSInvalidVersionFormat',
      `Version "${version}" is not accepted: organization ${organization} publishes bundle images, each tagged with its CSV's spec.version; publish without a version in the URL.`,
    );
  }
}

export class AuthorizationHeaderRequiredError extends OmpsError {
  constructor() {
    super(
      'OMPSAuthorizationHeaderRequired',
      'An "Authorization" header with your Quay token is required for this request.',
    );
  }
}

export class KojiNotAnOperatorImageError extends OmpsError {
  constructor(nvr: string) {
    super(
      'KojiNotAnOperatorImage',
      `${notAnOperatorImage(nvr)} (the build has no operator manifests archive)`,
    );
  }
}

export class KojiNVRBuildNotFoundError extends OmpsError {
  constructor(nvr: string) {
    super('KojiNVRBuildNotFound', nvrNotFound(nvr));
  }
}

export class KojiManifestsArchiveNotFoundError extends OmpsError {
  constructor(nvr: string, archive: string) {
    super('KojiManifestsArchiveNotFound', archiveNotInBuild(archive, nvr));
  }
}

export class KojiError extends OmpsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KojiError', message, undefined, options);
  }
}

export class GreenwaveUnsatisfiedError extends OmpsError {
  constructor(nvr: string, response: unknown) {
    super(
      'GreenwaveUnsatisfiedError',
      `Koji build ${nvr} does not satisfy Greenwave policies${summary(response)}`,
      { field: 'greenwave_response', value: jsonObjectOrEmpty(response) },
    );
  }
}

export class GreenwaveError extends OmpsError {
  constructor(message: string, response: unknown = {}, options?: { cause?: unknown }) {
    super(
      'GreenwaveError',
      message,
      { field: 'greenwave_response', value: jsonObjectOrEmpty(response) },
      options,
    );
  }
}

export class QuayAuthorizationError extends OmpsError {
  constructor(message: string, response: unknown = {}) {
    super('QuayAuthorizationError', message, { field: 'quay_response', value: jsonObjectOrEmpty(response) });
  }
}

export class QuayCourierError extends OmpsError {
  constructor(message: string, response: unknown = {}, options?: { cause?: unknown }) {
    super(
      'QuayCourierError',
      message,
      { field: 'quay_response', value: jsonObjectOrEmpty(response) },
      options,
    );
  }
}

/** Quay refused the push because the release exists; auto-versioning retries on it. */
export class ReleaseAlreadyExistsError extends QuayCourierError {
  constructor(
    readonly release: string,
    message = `Release ${release} already exists in Quay (releases cannot be overwritten).`,
    response: unknown = {},
  ) {
    super(message, response);
  }
}

export class QuayPackageNotFoundError extends OmpsError {
  constructor(message: string) {
    super('QuayPackageNotFound', message);
  }
}

export class QuayPackageError extends OmpsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('QuayPackageError', message, undefined, options);
  }
}

/** SPEC §10/§11: an OCI registry (bundle images, catalogs) refused the credentials (401/403). */
export class RegistryAuthorizationError extends OmpsError {
  constructor(message: string, response: unknown = {}) {
    super('RegistryAuthorizationError', message, {
      field: 'registry_response',
      value: jsonObjectOrEmpty(response),
    });
  }
}

/** SPEC §10/§11: an OCI registry call failed (unreachable, timed out, or answered other than 401/403). */
export class RegistryError extends OmpsError {
  constructor(message: string, response: unknown = {}, options?: { cause?: unknown }) {
    super(
      'RegistryError',
      message,
      { field: 'registry_response', value: jsonObjectOrEmpty(response) },
      options,
    );
  }
}

/** SPEC §10: an image tag already holds other content; it is never overwritten. */
export class ImageTagTakenError extends RegistryError {
  constructor(
    readonly image: string,
    readonly existingDigest: string,
  ) {
    super(
      `Failed to push manifest: the tag ${image} already holds different content (${existingDigest}); tags are not overwritten.`,
    );
  }
}

/**
 * SPEC §11: the catalog a publish or delete would produce breaks the FBC rules;
 * nothing was pushed or deleted. `validation_info.errors` names each broken rule.
 */
export class CatalogValidationError extends OmpsError {
  constructor(
    message: string,
    readonly validationInfo: ValidationInfo,
  ) {
    super('CatalogValidationError', message, { field: 'validation_info', value: validationInfo });
  }
}

export class RequestEntityTooLargeError extends OmpsError {
  constructor(limit: number) {
    super('RequestEntityTooLarge', `The request body is larger than the limit of ${limit} bytes.`);
  }
}

/** Too many publishes already wait for bundle work; the caller should come back after `retryAfterSeconds`. */
export class ServiceBusyError extends OmpsError {
  constructor(
    readonly retryAfterSeconds: number,
    message = `The service is busy: too many publishes are waiting for bundle work. Retry in ${retryAfterSeconds} s.`,
  ) {
    super('OMPSServiceBusy', message);
  }
}

/**
 * A bundle job (unzip, parse, validate, build what is pushed) ran past
 * `bundle_job_timeout` and its thread was stopped; nothing was pushed.
 */
export class BundleJobTimeoutError extends OmpsError {
  constructor(readonly limitSeconds: number) {
    super(
      'OMPSBundleJobTimeout',
      `The bundle job did not finish within the limit of ${limitSeconds} s (bundle_job_timeout) and was stopped; nothing was pushed.`,
    );
  }
}

function summary(response: unknown): string {
  if (response && typeof response === 'object' && 'summary' in response) {
    const s = (response as { summary: unknown }).summary;
    if (typeof s === 'string' && s) return `: ${s}`;
  }
  return '.';
}

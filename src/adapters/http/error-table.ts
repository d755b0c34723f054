/** The one table from error id to HTTP status (SPEC §2), and the error body every failure gets. */
import type { ErrorId } from '../../domain/errors.js';
import { OmpsError } from '../../domain/errors.js';

export const STATUS_BY_ERROR: Record<ErrorId, number> = {
  OMPSUploadedFileError: 400,
  OMPSExpectedFileError: 400,
  PackageValidationError: 400,
  OMPSInvalidVersionFormat: 400,
  KojiNotAnOperatorImage: 400,
  GreenwaveUnsatisfiedError: 400,
  CatalogValidationError: 400,
  RegistryAuthorizationError: 403,
  OMPSAuthorizationHeaderRequired: 403,
  QuayAuthorizationError: 403,
  KojiNVRBuildNotFound: 404,
  QuayPackageNotFound: 404,
  NotFound: 404,
  MethodNotAllowed: 405,
  RequestEntityTooLarge: 413,
  KojiManifestsArchiveNotFound: 500,
  KojiError: 500,
  QuayCourierError: 500,
  QuayPackageError: 500,
  GreenwaveError: 500,
  RegistryError: 500,
  OMPSBundleJobTimeout: 500,
  OMPSServiceBusy: 503,
  InternalServerError: 500,
};

export interface ErrorBody {
  status: number;
  error: ErrorId;
  message: string;
  validation_info?: unknown;
  quay_response?: unknown;
  greenwave_response?: unknown;
  registry_response?: unknown;
}

export function errorBody(error: OmpsError): ErrorBody {
  const body: ErrorBody = { status: STATUS_BY_ERROR[error.id], error: error.id, message: error.message };
  if (error.extra) body[error.extra.field] = error.extra.value;
  return body;
}

export function internalError(): OmpsError {
  return new OmpsError(
    'InternalServerError',
    'The server encountered an unexpected error; the details are in its log.',
  );
}

export function asOmpsError(error: unknown): OmpsError {
  return error instanceof OmpsError ? error : internalError();
}

/**
 * Zod schemas of every response body of SPEC §2, the source of the OpenAPI
 * document (openapi.ts). Objects are strict: a body with a field the schema
 * does not name fails to parse, so the tests keep the document equal to the app.
 */
import { z } from 'zod';
import {
  AuthorizationHeaderRequiredError,
  BundleJobTimeoutError,
  CatalogValidationError,
  type ErrorId,
  ExpectedFileError,
  GreenwaveError,
  GreenwaveUnsatisfiedError,
  InvalidVersionFormatError,
  KojiError,
  KojiManifestsArchiveNotFoundError,
  KojiNotAnOperatorImageError,
  KojiNVRBuildNotFoundError,
  OmpsError,
  PackageValidationError,
  QuayAuthorizationError,
  QuayCourierError,
  QuayPackageError,
  QuayPackageNotFoundError,
  RegistryAuthorizationError,
  RegistryError,
  RequestEntityTooLargeError,
  ServiceBusyError,
  UploadedFileError,
} from '../../domain/errors.js';
import {
  cannotRetrievePackage,
  INVALID_BUNDLE,
  NO_FILE_FIELD,
  NOT_A_ZIP,
  packageNotFound,
  pushFailed,
} from '../../domain/original-messages.js';
import { type ErrorBody, errorBody, internalError, STATUS_BY_ERROR } from './error-table.js';
import { catalogParams, deleteParams, publishParams } from './params.js';

// ---------------------------------------------------------------- parameters

/** The release version format of SPEC §4 (`<int>.<int>.<int>`, no leading zeros), for the document. */
export { VERSION_PATTERN } from '../../domain/release-version.js';

import { VERSION_PATTERN } from '../../domain/release-version.js';

const EXAMPLE_NVR = 'hello-operator-container-1.0.0-1';

/** Path parameters: the schemas params.ts validates with, plus what the document says about them. */
export const pathParamSchemas = {
  publish: {
    org: publishParams.shape.org.meta({ description: 'Quay namespace (organization).', examples: ['myorg'] }),
    repo: publishParams.shape.repo.unwrap().meta({
      description: 'Quay application repository; must equal the bundle’s packageName.',
      examples: ['hello-operator'],
    }),
    nvr: publishParams.shape.nvr.unwrap().meta({
      description: 'Name-Version-Release of a Koji build of an operator image.',
      examples: [EXAMPLE_NVR],
    }),
    version: publishParams.shape.version
      .unwrap()
      .regex(new RegExp(VERSION_PATTERN))
      .meta({
        description:
          'Release version to publish, `<int>.<int>.<int>` without leading zeros; otherwise 400 OMPSInvalidVersionFormat. ' +
          '(Without it, the latest conforming release with its major bumped, or the configured default.) ' +
          'Refused (400 OMPSInvalidVersionFormat) for organizations with `bundle_images`: their images are tagged with each CSV’s `spec.version`.',
        examples: ['1.0.0'],
      }),
  },
  delete: {
    org: deleteParams.shape.org.meta({ description: 'Quay namespace (organization).', examples: ['myorg'] }),
    repo: deleteParams.shape.repo.meta({
      description: 'Quay application repository.',
      examples: ['hello-operator'],
    }),
    version: deleteParams.shape.version.unwrap().meta({
      description: 'Release to delete, as Quay names it (not format-checked). (Without it: every release.)',
      examples: ['1.0.0'],
    }),
  },
  catalog: {
    org: catalogParams.shape.org.meta({
      description: 'An organization with a `catalog` (SPEC §11).',
      examples: ['myorg'],
    }),
    package: catalogParams.shape.package.unwrap().meta({
      description: 'A package of the catalog.',
      examples: ['hello-operator'],
    }),
  },
} as const;

/** `?dry_run=`: `true`, `1` or `yes` (case-insensitive) run every step but the push. */
export const DryRunQuerySchema = z.string().meta({
  description:
    '`true`, `1` or `yes` (case-insensitive): run every step (download, unzip, validation, version choice, ' +
    'Koji and Greenwave checks) but push nothing; the answer adds `dry_run`, `validation_info` and `files_to_push`. ' +
    'Any other value, or none: a real publish.',
  examples: ['true'],
});

/** The multipart form of the zipfile routes: the archive in field `file` (other fields are ignored). */
export const UploadFormSchema = z.looseObject({
  file: z
    .file()
    .mime('application/zip')
    .meta({ description: 'The zip archive of the operator manifests; its filename must end in `.zip`.' }),
});

// ------------------------------------------------------------------ success

const strings = z.array(z.string());

export const ValidationReportSchema = z.strictObject({ errors: strings, warnings: strings }).meta({
  description: 'What bundle validation (operator-courier 2.1.11 rules) reported.',
  examples: [{ errors: [], warnings: ['csv metadata.annotations not defined.'] }],
});

export const PublishedImageSchema = z
  .strictObject({
    version: z.string().meta({ description: 'The image tag: the CSV’s `spec.version`.' }),
    image: z.string().meta({ description: '`<registry host[:port]>/<repository>:<tag>`, ready to pull.' }),
    digest: z.string().meta({ description: 'The image manifest’s digest (`sha256:…`).' }),
  })
  .meta({
    description: 'A bundle image (organizations with `bundle_images`, SPEC §10): one per CSV.',
    examples: [
      {
        version: '1.0.0',
        image: 'registry.example.com/myorg/hello-operator-bundle:1.0.0',
        digest: 'sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270',
      },
    ],
  });

export const CatalogResultSchema = z
  .strictObject({
    image: z
      .string()
      .meta({ description: 'The catalog image, `<registry host[:port]>/<repository>:<tag>`.' }),
    digest: z.string().nullable().meta({
      description: 'What the tag points at now (`sha256:…`); null in a dry run when there is no catalog yet.',
    }),
    changed: z.boolean().meta({
      description:
        'Whether the catalog was rewritten (dry run: would be); an unchanged catalog is not pushed again.',
    }),
  })
  .meta({
    description: 'Organizations with a `catalog` (SPEC §11): the File-Based Catalog image kept current.',
    examples: [
      {
        image: 'registry.example.com/myorg/catalog:latest',
        digest: 'sha256:0d3c1f7a4c0b8e6d2f5a9b1c3e7d5f2a4b6c8e0d1f3a5b7c9e1d3f5a7b9c1e3d',
        changed: true,
      },
    ],
  });

export const CatalogSummarySchema = z
  .strictObject({
    image: z
      .string()
      .meta({ description: 'The catalog image, `<registry host[:port]>/<repository>:<tag>`.' }),
    digest: z
      .string()
      .nullable()
      .meta({ description: 'What the tag points at; null when there is no catalog yet.' }),
    packages: strings.meta({ description: 'The packages the catalog holds, sorted.' }),
  })
  .meta({
    examples: [
      {
        image: 'registry.example.com/myorg/catalog:latest',
        digest: 'sha256:0d3c1f7a4c0b8e6d2f5a9b1c3e7d5f2a4b6c8e0d1f3a5b7c9e1d3f5a7b9c1e3d',
        packages: ['etcd', 'hello-operator'],
      },
    ],
  });

const catalogField = {
  catalog: CatalogResultSchema.optional().meta({
    description:
      'Organizations with a `catalog` only: the catalog image after this call (or, in a dry run, as it is).',
  }),
};

const zipfileFields = {
  organization: z.string().meta({ description: 'The Quay namespace published to.' }),
  repo: z.string().meta({ description: 'The Quay repository published to (v2: the bundle’s packageName).' }),
  version: z
    .string()
    .meta({ description: 'The release version published (or that would be, in a dry run).' }),
  extracted_files: strings.meta({
    description: 'The archive’s file paths, sorted, relative, `/`-separated, directories omitted.',
  }),
  images: z
    .array(PublishedImageSchema)
    .optional()
    .meta({
      description:
        'Organizations with `bundle_images` only: the bundle images published, or that would be in a dry run ' +
        '(then `version` is the tag of the default channel’s head).',
    }),
  ...catalogField,
  validation_info: ValidationReportSchema.optional().meta({
    description:
      'Dry runs; and publishes with a catalog whose registry held bundle images that could not be read (each a warning).',
  }),
};
const nvrField = { nvr: z.string().meta({ description: 'The Koji build published from.' }) };
const dryRunFields = {
  dry_run: z.literal(true),
  validation_info: ValidationReportSchema,
  files_to_push: strings.meta({
    description:
      'The files of the bundle that would have been pushed (bundle images: `<tag>/<path in the image layer>`).',
  }),
};

const ZIPFILE_EXAMPLE = {
  organization: 'myorg',
  repo: 'hello-operator',
  version: '1.0.0',
  extracted_files: [
    'greetings.crd.yaml',
    'hello-operator.v1.0.0.clusterserviceversion.yaml',
    'hello.package.yaml',
  ],
};
const KOJI_EXAMPLE = { ...ZIPFILE_EXAMPLE, nvr: EXAMPLE_NVR };
const DRY_RUN_EXAMPLE = {
  dry_run: true as const,
  validation_info: { errors: [], warnings: [] },
  files_to_push: ['bundle.yaml'],
};

export const ZipfileReleaseSchema = z
  .strictObject(zipfileFields)
  .meta({ description: 'A release published from an uploaded zip.', examples: [ZIPFILE_EXAMPLE] });

export const ZipfileDryRunSchema = z.strictObject({ ...zipfileFields, ...dryRunFields }).meta({
  description: 'What a publish would do (`?dry_run=true`).',
  examples: [{ ...ZIPFILE_EXAMPLE, ...DRY_RUN_EXAMPLE }],
});

export const KojiReleaseSchema = z
  .strictObject({ ...zipfileFields, ...nvrField })
  .meta({ description: 'A release published from a Koji build.', examples: [KOJI_EXAMPLE] });

export const KojiDryRunSchema = z.strictObject({ ...zipfileFields, ...nvrField, ...dryRunFields }).meta({
  description: 'What a publish would do (`?dry_run=true`).',
  examples: [{ ...KOJI_EXAMPLE, ...DRY_RUN_EXAMPLE }],
});

export const ZipfileResponseSchema = z.union([ZipfileReleaseSchema, ZipfileDryRunSchema]);
export const KojiResponseSchema = z.union([KojiReleaseSchema, KojiDryRunSchema]);

export const DeleteResultSchema = z
  .strictObject({
    organization: z.string(),
    repo: z.string(),
    deleted: strings.meta({ description: 'The releases deleted.' }),
    ...catalogField,
  })
  .meta({ examples: [{ organization: 'myorg', repo: 'hello-operator', deleted: ['1.0.0', '2.0.0'] }] });

export const ServiceHealthSchema = z.strictObject({
  ok: z.boolean(),
  details: z.string().meta({ description: '`It works!` when ok, else the reason.' }),
});

const IT_WORKS = { ok: true, details: 'It works!' };

export const HealthReportSchema = z
  .strictObject({
    ok: z.boolean(),
    status: z.literal([200, 503]).meta({ description: 'Equals the HTTP status.' }),
    services: z.strictObject({
      quay: ServiceHealthSchema,
      koji: ServiceHealthSchema,
      greenwave: ServiceHealthSchema.nullable().meta({
        description: 'null when Greenwave is not configured.',
      }),
      bundle_registry: ServiceHealthSchema.optional().meta({
        description:
          'Only when some organization has `bundle_images`: every such OCI registry answers `GET /v2/` (200, or 401 asking for credentials).',
      }),
    }),
  })
  .meta({
    examples: [
      { ok: true, status: 200, services: { quay: IT_WORKS, koji: IT_WORKS, greenwave: IT_WORKS } },
      {
        ok: false,
        status: 503,
        services: { quay: { ok: false, details: 'Cannot connect to Quay' }, koji: IT_WORKS, greenwave: null },
      },
    ],
  });

export const LivenessSchema = z
  .strictObject({ ok: z.literal(true), status: z.literal(200) })
  .meta({ examples: [{ ok: true, status: 200 }] });

export const AboutSchema = z
  .strictObject({
    version: z.string().meta({ description: 'The service version.' }),
    operatorcourier: z.string().meta({
      description: 'The operator-courier version whose bundle format and validation rules are implemented.',
    }),
  })
  .meta({ examples: [{ version: '0.1.0', operatorcourier: '2.1.11' }] });

// -------------------------------------------------------------------- errors

/** Every error id, in the order of the status table. */
export const ERROR_IDS = Object.keys(STATUS_BY_ERROR) as [ErrorId, ...ErrorId[]];

export const ErrorIdSchema = z.enum(ERROR_IDS);

export const ValidationInfoSchema = z
  .union([ValidationReportSchema, z.strictObject({})])
  .meta({ description: 'PackageValidationError only: the validation report, or `{}`.' });

const upstreamAnswer = (who: string) =>
  z.record(z.string(), z.unknown()).meta({ description: `${who}'s JSON answer, or \`{}\`.` });

/** One real error body per error id, made by the service's own error classes and errorBody(). */
export const ERROR_EXAMPLES: Record<ErrorId, ErrorBody> = exampleErrors();

export const ErrorBodySchema = z
  .strictObject({
    status: z.int().min(400).max(599).meta({ description: 'Equals the HTTP status.' }),
    error: ErrorIdSchema,
    message: z.string().meta({ description: 'Human-readable; never contains secrets or stack traces.' }),
    validation_info: ValidationInfoSchema.optional(),
    quay_response: upstreamAnswer('Quay').optional(),
    greenwave_response: upstreamAnswer('Greenwave').optional(),
    registry_response: upstreamAnswer('The OCI registry').optional(),
  })
  .meta({
    description: 'Every error, expected or not. HTTP status = `status`.',
    examples: [
      ERROR_EXAMPLES.PackageValidationError,
      ERROR_EXAMPLES.QuayCourierError,
      ERROR_EXAMPLES.GreenwaveUnsatisfiedError,
      ERROR_EXAMPLES.OMPSAuthorizationHeaderRequired,
    ],
  });

function exampleErrors(): Record<ErrorId, ErrorBody> {
  const notFound = new OmpsError('NotFound', 'The requested URL was not found on the server.');
  const errors: Record<ErrorId, OmpsError> = {
    OMPSUploadedFileError: new UploadedFileError(NOT_A_ZIP),
    OMPSExpectedFileError: new ExpectedFileError(NO_FILE_FIELD),
    PackageValidationError: new PackageValidationError(
      `${INVALID_BUNDLE} The packageName (hello-operator) in bundle does not match repository name (other) provided as command line argument.`,
      {
        errors: [
          'The packageName (hello-operator) in bundle does not match repository name (other) provided as command line argument.',
        ],
        warnings: [],
      },
    ),
    OMPSInvalidVersionFormat: new InvalidVersionFormatError('1.0'),
    KojiNotAnOperatorImage: new KojiNotAnOperatorImageError('plain-container-1.0-1'),
    GreenwaveUnsatisfiedError: new GreenwaveUnsatisfiedError(EXAMPLE_NVR, {
      policies_satisfied: false,
      summary: '1 of 2 required test results missing',
      unsatisfied_requirements: [{ type: 'test-result-missing', testcase: 'cvp.test' }],
    }),
    OMPSAuthorizationHeaderRequired: new AuthorizationHeaderRequiredError(),
    QuayAuthorizationError: new QuayAuthorizationError(
      `${pushFailed('Unauthorized access')} (Quay refused to push release 1.0.0 of myorg/hello-operator: 403)`,
      {
        error: { code: 'unauthorized-access', message: 'Unauthorized access' },
      },
    ),
    KojiNVRBuildNotFound: new KojiNVRBuildNotFoundError('unknown-1.0-1'),
    QuayPackageNotFound: new QuayPackageNotFoundError(packageNotFound('myorg', 'nothing')),
    NotFound: notFound,
    MethodNotAllowed: new OmpsError('MethodNotAllowed', 'The method GET is not allowed for this URL.'),
    RequestEntityTooLarge: new RequestEntityTooLargeError(52428800),
    KojiManifestsArchiveNotFound: new KojiManifestsArchiveNotFoundError(
      EXAMPLE_NVR,
      'operator_manifests.zip',
    ),
    KojiError: new KojiError('Koji hub call getBuild failed: timed out.'),
    QuayCourierError: new QuayCourierError(
      `${pushFailed('package exists already')} (release 1.0.0 of myorg/hello-operator already exists in Quay; releases cannot be overwritten)`,
      { error: { code: 'package-exists', message: 'package exists already' } },
    ),
    QuayPackageError: new QuayPackageError(
      `${cannotRetrievePackage('myorg', 'hello-operator')}Quay did not answer within 60 s.`,
    ),
    GreenwaveError: new GreenwaveError('Greenwave decision request failed: timed out.'),
    RegistryAuthorizationError: new RegistryAuthorizationError(
      'The registry refused to list the tags of myorg/hello-operator-bundle (401): UNAUTHORIZED: authentication required.',
      { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
    ),
    RegistryError: new RegistryError(
      'Could not put the manifest of myorg/catalog:latest: the registry did not answer within 60 s.',
    ),
    CatalogValidationError: new CatalogValidationError(
      'The catalog would be invalid: package "hello-operator", channel "alpha": multiple channel heads found in graph: hello-operator.v1.0.0, hello-operator.v2.0.0',
      {
        errors: [
          'package "hello-operator", channel "alpha": multiple channel heads found in graph: hello-operator.v1.0.0, hello-operator.v2.0.0',
        ],
        warnings: [],
      },
    ),
    OMPSServiceBusy: new ServiceBusyError(2),
    OMPSBundleJobTimeout: new BundleJobTimeoutError(60),
    InternalServerError: internalError(),
  };
  return Object.fromEntries(Object.entries(errors).map(([id, e]) => [id, errorBody(e)])) as Record<
    ErrorId,
    ErrorBody
  >;
}

// ------------------------------------------------------------------ registry

/** The schemas the document shares under components/schemas, by name. */
export const COMPONENT_SCHEMAS = {
  PublishedImage: PublishedImageSchema,
  ZipfileRelease: ZipfileReleaseSchema,
  ZipfileDryRun: ZipfileDryRunSchema,
  ZipfileResponse: ZipfileResponseSchema,
  KojiRelease: KojiReleaseSchema,
  KojiDryRun: KojiDryRunSchema,
  KojiResponse: KojiResponseSchema,
  DeleteResult: DeleteResultSchema,
  CatalogResult: CatalogResultSchema,
  CatalogSummary: CatalogSummarySchema,
  ServiceHealth: ServiceHealthSchema,
  HealthReport: HealthReportSchema,
  Liveness: LivenessSchema,
  About: AboutSchema,
  ErrorId: ErrorIdSchema,
  ValidationReport: ValidationReportSchema,
  ValidationInfo: ValidationInfoSchema,
  ErrorBody: ErrorBodySchema,
} as const;

export type ComponentName = keyof typeof COMPONENT_SCHEMAS;

/**
 * The OpenAPI 3.1 description of SPEC §2, made from the zod schemas of
 * schemas.ts and the route table of routes.ts, and the routes that serve it:
 * `GET /v1/openapi.json`, `GET /v2/openapi.json` and `GET /docs` (a viewer, with its files).
 */
import type { Env, Hono } from 'hono';
import { z } from 'zod';
import type { ErrorId } from '../../domain/errors.js';
import { type DocsAssets, servedAssets } from './docs-assets.js';
import { docsPage } from './docs-page.js';
import { STATUS_BY_ERROR } from './error-table.js';
import { type ApiVersion, apiDocsPaths, routePaths } from './routes.js';
import {
  COMPONENT_SCHEMAS,
  type ComponentName,
  DryRunQuerySchema,
  ERROR_EXAMPLES,
  pathParamSchemas,
  UploadFormSchema,
} from './schemas.js';

export type DocumentedVersion = ApiVersion | 'all';

type JsonSchema = Record<string, unknown>;

export interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface Operation {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  deprecated?: true;
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: Record<string, unknown>;
  responses: Record<string, Record<string, unknown>>;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, Record<string, unknown>>;
  };
}

const SECURITY_SCHEME = 'quayToken';

/** When each error happens (SPEC §2), for the response descriptions. */
export const ERROR_DESCRIPTIONS: Record<ErrorId, string> = {
  OMPSUploadedFileError:
    'the archive is not a zip, is corrupt or encrypted, fails its CRC, has an unsafe entry path or is too big after unzip; or the uploaded filename does not end in `.zip`',
  OMPSExpectedFileError:
    'no file attached in the multipart field `file`, an empty filename, or a body that stopped before its end',
  PackageValidationError:
    'bad YAML, no packageName, the bundle fails validation, or (v1) the repository is not the packageName; see `validation_info`',
  OMPSInvalidVersionFormat: 'the version in the URL is not `<int>.<int>.<int>`',
  KojiNotAnOperatorImage: 'the Koji build has no operator-manifests archive',
  GreenwaveUnsatisfiedError:
    'Greenwave says the build does not satisfy its policies; see `greenwave_response`',
  OMPSAuthorizationHeaderRequired: 'no (or an empty) `Authorization` header',
  QuayAuthorizationError: 'Quay answered 403 (listing releases or pushing); see `quay_response`',
  KojiNVRBuildNotFound: 'no such build in Koji',
  QuayPackageNotFound: 'the package (or that release) is not in Quay',
  NotFound: 'unknown route',
  MethodNotAllowed: 'wrong method for the route (the `Allow` header lists the right ones)',
  RequestEntityTooLarge: 'the request body is larger than `max_content_length`',
  KojiManifestsArchiveNotFound: 'the build names an operator-manifests archive that Koji does not list',
  KojiError: 'Koji is unreachable, times out, answers a fault or a bad download',
  QuayCourierError:
    'pushing the bundle to Quay failed (other than 403), e.g. the release exists; see `quay_response`',
  QuayPackageError: 'listing, deleting or publishing failed in Quay (other than 403/404)',
  GreenwaveError: 'Greenwave is unreachable or answered something unusable; see `greenwave_response`',
  RegistryAuthorizationError:
    'an OCI registry (bundle images, catalogs) refused the credentials; see `registry_response`',
  RegistryError: 'an OCI registry call failed (other than 401/403); see `registry_response`',
  CatalogValidationError:
    'the catalog the publish or delete would produce breaks the File-Based Catalog rules; nothing pushed or deleted; see `validation_info`',
  OMPSServiceBusy:
    'too many publishes are waiting for bundle work, or the process holds `max_connections` open connections; come back after the seconds in `Retry-After`',
  OMPSBundleJobTimeout:
    'the bundle job (unzip, parse, validate, build) ran past `bundle_job_timeout` and was stopped; nothing pushed',
  InternalServerError: 'anything unforeseen (the details are only in the service log)',
};

type RouteKind = 'zipfile' | 'koji' | 'delete' | 'health' | 'live' | 'about' | 'catalog';

/** The errors each kind of route can answer (InternalServerError: any route). */
export const ROUTE_ERRORS: Record<RouteKind, readonly ErrorId[]> = {
  zipfile: [
    'OMPSUploadedFileError',
    'OMPSExpectedFileError',
    'PackageValidationError',
    'OMPSInvalidVersionFormat',
    'OMPSAuthorizationHeaderRequired',
    'QuayAuthorizationError',
    'RequestEntityTooLarge',
    'QuayCourierError',
    'QuayPackageError',
    'RegistryAuthorizationError',
    'RegistryError',
    'CatalogValidationError',
    'OMPSServiceBusy',
    'OMPSBundleJobTimeout',
    'InternalServerError',
  ],
  koji: [
    'OMPSUploadedFileError',
    'PackageValidationError',
    'OMPSInvalidVersionFormat',
    'KojiNotAnOperatorImage',
    'GreenwaveUnsatisfiedError',
    'OMPSAuthorizationHeaderRequired',
    'QuayAuthorizationError',
    'KojiNVRBuildNotFound',
    'KojiManifestsArchiveNotFound',
    'KojiError',
    'GreenwaveError',
    'QuayCourierError',
    'QuayPackageError',
    'RegistryAuthorizationError',
    'RegistryError',
    'CatalogValidationError',
    'OMPSServiceBusy',
    'OMPSBundleJobTimeout',
    'InternalServerError',
  ],
  delete: [
    'OMPSAuthorizationHeaderRequired',
    'QuayAuthorizationError',
    'QuayPackageNotFound',
    'QuayPackageError',
    'RegistryAuthorizationError',
    'RegistryError',
    'CatalogValidationError',
    'InternalServerError',
  ],
  health: ['InternalServerError'],
  live: ['InternalServerError'],
  about: ['InternalServerError'],
  catalog: ['RegistryAuthorizationError', 'NotFound', 'RegistryError', 'InternalServerError'],
};

/** The errors a route can answer, narrowed by its path (e.g. no version → no OMPSInvalidVersionFormat). */
function errorsOf(kind: RouteKind, hasVersion: boolean): ErrorId[] {
  return ROUTE_ERRORS[kind].filter((id) => {
    if (id === 'OMPSInvalidVersionFormat') return hasVersion;
    // Deleting one release never lists the repository, where Quay's 403 becomes QuayAuthorizationError.
    if (kind === 'delete' && id === 'QuayAuthorizationError') return !hasVersion;
    return true;
  });
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  413: 'Request body too large',
  500: 'Server or upstream failure',
  503: 'Service busy',
};

// ---------------------------------------------------------------- document

/**
 * The OpenAPI 3.1.0 document of the API: the routes of `apiVersion` (both by
 * default; v1 is marked deprecated), with `info.version` = the service version.
 */
export function openApiDocument(version: string, apiVersion: DocumentedVersion = 'all'): OpenApiDocument {
  const versions: ApiVersion[] = apiVersion === 'all' ? ['v1', 'v2'] : [apiVersion];
  const paths: OpenApiDocument['paths'] = {};
  for (const v of versions) {
    for (const [path, method, operation] of operations(v)) {
      const template = path.replace(/:(\w+)/g, '{$1}');
      paths[template] ??= {};
      paths[template][method] = operation;
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Operator Manifests Push Service (OMPS)',
      version,
      description: infoDescription(versions),
    },
    tags: [
      { name: 'publish', description: 'Publish a release of an operator bundle to Quay.' },
      { name: 'delete', description: 'Delete releases from Quay.' },
      { name: 'service', description: 'Health and versions of the service.' },
      {
        name: 'catalog',
        description: 'The File-Based Catalogs kept current for organizations with `catalog`.',
      },
    ],
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            'The caller’s Quay CNR token, passed to Quay as is. Required by every publish and delete call: ' +
            'without it (or with an empty one) → 403 OMPSAuthorizationHeaderRequired, before anything else is read.',
        },
      },
    },
  };
}

/** The operations of one API version, in the order of routes.ts. */
function operations(v: ApiVersion): [path: string, method: 'get' | 'post' | 'delete', Operation][] {
  const p = routePaths(v);
  const deprecated = v === 'v1' ? ({ deprecated: true } as const) : {};
  const v1Note =
    v === 'v1'
      ? ' Deprecated (v1): the repository comes from the URL and must equal the bundle’s packageName; use v2.'
      : ' The repository is the bundle’s packageName (with the organization’s package_name_suffix, when configured).';
  const out: [string, 'get' | 'post' | 'delete', Operation][] = [];

  p.zipfile.forEach((path, i) => {
    const withVersion = i === 1;
    out.push([
      path,
      'post',
      {
        operationId: `${v}PublishZipfile${withVersion ? 'Version' : ''}`,
        summary: `Publish from an uploaded zip${withVersion ? ', at a given version' : ''}`,
        description:
          'Unzips the uploaded archive, validates the bundle and pushes it to Quay as a new release.' +
          v1Note,
        tags: ['publish'],
        ...deprecated,
        security: [{ [SECURITY_SCHEME]: [] }],
        parameters: [...pathParameters(path, 'publish'), dryRunParameter()],
        requestBody: {
          required: true,
          description: 'The archive in the multipart field `file`.',
          content: {
            'multipart/form-data': {
              schema: jsonSchemaOf(UploadFormSchema),
              encoding: { file: { contentType: 'application/zip, application/octet-stream' } },
            },
          },
        },
        responses: {
          '200': success('Published (with `dry_run`: what would be published).', 'ZipfileResponse'),
          ...errorResponses(errorsOf('zipfile', withVersion)),
        },
      },
    ]);
  });

  p.koji.forEach((path, i) => {
    const withVersion = i === 1;
    out.push([
      path,
      'post',
      {
        operationId: `${v}PublishKoji${withVersion ? 'Version' : ''}`,
        summary: `Publish from a Koji build${withVersion ? ', at a given version' : ''}`,
        description:
          'Downloads the operator-manifests archive of the Koji build, checks Greenwave policies when configured, ' +
          'validates the bundle and pushes it to Quay as a new release.' +
          v1Note,
        tags: ['publish'],
        ...deprecated,
        security: [{ [SECURITY_SCHEME]: [] }],
        parameters: [...pathParameters(path, 'publish'), dryRunParameter()],
        responses: {
          '200': success('Published (with `dry_run`: what would be published).', 'KojiResponse'),
          ...errorResponses(errorsOf('koji', withVersion)),
        },
      },
    ]);
  });

  p.delete.forEach((path, i) => {
    const withVersion = i === 1;
    out.push([
      path,
      'delete',
      {
        operationId: `${v}${withVersion ? 'DeleteRelease' : 'DeleteReleases'}`,
        summary: withVersion ? 'Delete one release' : 'Delete every release of a repository',
        description: withVersion
          ? 'Deletes the release as Quay names it (its format is not checked). ' +
            'For an organization with `bundle_images`: deletes that tag of the package’s bundle image repository (by digest).'
          : 'Deletes every release of the repository, conforming or not; every release is tried, and a partial failure names what is left. ' +
            'For an organization with `bundle_images`: every tag of the package’s bundle image repository.',
        tags: ['delete'],
        ...deprecated,
        security: [{ [SECURITY_SCHEME]: [] }],
        parameters: pathParameters(path, 'delete'),
        responses: {
          '200': success('Deleted.', 'DeleteResult'),
          ...errorResponses(errorsOf('delete', withVersion)),
        },
      },
    ]);
  });

  out.push([
    p.health,
    'get',
    {
      operationId: `${v}Health`,
      summary: 'Health of the service and its upstreams',
      description:
        'Asks Quay, Koji and (when configured) Greenwave at once. 200 when all answer, 503 otherwise.',
      tags: ['service'],
      ...deprecated,
      responses: {
        '200': success('Every upstream answers.', 'HealthReport'),
        '503': success('Some upstream does not answer; `details` says why.', 'HealthReport'),
        ...errorResponses(errorsOf('health', false)),
      },
    },
  ]);

  p.catalog.forEach((path, i) => {
    const onePackage = i === 1;
    out.push([
      path,
      'get',
      {
        operationId: onePackage ? `${v}CatalogPackage` : `${v}Catalog`,
        summary: onePackage ? 'One package of an organization’s catalog' : 'An organization’s catalog',
        description: onePackage
          ? 'The package’s File-Based Catalog blobs (`olm.package`, `olm.channel`s, `olm.bundle`s) as JSON lines, as catalogd serves them. ' +
            'An `Authorization` header, when given, is passed to the registry.'
          : 'The catalog image, what its tag points at and the packages it holds, read from the registry now. ' +
            'An `Authorization` header, when given, is passed to the registry.',
        tags: ['catalog'],
        parameters: pathParameters(path, 'catalog'),
        responses: {
          '200': onePackage
            ? {
                description: 'One JSON object per line.',
                content: { 'application/jsonl': { schema: { type: 'string' } } },
              }
            : success('The catalog.', 'CatalogSummary'),
          ...errorResponses(errorsOf('catalog', false)),
        },
      },
    ]);
  });

  out.push([
    p.live,
    'get',
    {
      operationId: `${v}Live`,
      summary: 'The process answers (for liveness and readiness probes)',
      description:
        'Answers from the process alone and never asks an upstream, so an upstream outage does not take ' +
        'every replica out of service; `/health/ping` says whether the upstreams answer.',
      tags: ['service'],
      ...deprecated,
      responses: {
        '200': success('The process serves requests.', 'Liveness'),
        ...errorResponses(errorsOf('live', false)),
      },
    },
  ]);

  out.push([
    p.about,
    'get',
    {
      operationId: `${v}About`,
      summary: 'Versions',
      description: 'The service version and the operator-courier version whose rules it implements.',
      tags: ['service'],
      ...deprecated,
      responses: {
        '200': success('The versions.', 'About'),
        ...errorResponses(errorsOf('about', false)),
      },
    },
  ]);
  return out;
}

function pathParameters(path: string, kind: keyof typeof pathParamSchemas): Parameter[] {
  const schemas: Record<string, z.ZodType> = pathParamSchemas[kind];
  return [...path.matchAll(/:(\w+)/g)].map(([, name]) => {
    const schema = schemas[name!];
    if (!schema) throw new Error(`No schema for the path parameter "${name}" of ${path}`);
    const { description, ...json } = jsonSchemaOf(schema);
    return {
      name: name!,
      in: 'path',
      required: true,
      ...(typeof description === 'string' ? { description } : {}),
      schema: json,
    };
  });
}

function dryRunParameter(): Parameter {
  const { description, ...json } = jsonSchemaOf(DryRunQuerySchema);
  return { name: 'dry_run', in: 'query', required: false, description: String(description), schema: json };
}

function ref(name: ComponentName) {
  return { $ref: `#/components/schemas/${name}` };
}

function success(description: string, schema: ComponentName) {
  return { description, content: { 'application/json': { schema: ref(schema) } } };
}

/** One response per status, its schema the error body narrowed to the ids the route can give there. */
function errorResponses(ids: readonly ErrorId[]): Record<string, Record<string, unknown>> {
  const byStatus = new Map<number, ErrorId[]>();
  for (const id of ids) {
    const status = STATUS_BY_ERROR[id];
    byStatus.set(status, [...(byStatus.get(status) ?? []), id]);
  }
  const out: Record<string, Record<string, unknown>> = {};
  for (const status of [...byStatus.keys()].sort((a, b) => a - b)) {
    const group = byStatus.get(status)!;
    out[String(status)] = {
      description: `${STATUS_TEXT[status] ?? 'Error'}: \`error\` is one of\n${group
        .map((id) => `- \`${id}\`: ${ERROR_DESCRIPTIONS[id]}`)
        .join('\n')}`,
      ...(group.includes('OMPSServiceBusy')
        ? {
            headers: {
              'Retry-After': {
                description: 'Seconds to wait before trying again.',
                schema: { type: 'integer', minimum: 1 },
              },
            },
          }
        : {}),
      content: {
        'application/json': {
          schema: {
            allOf: [
              ref('ErrorBody'),
              { type: 'object', properties: { status: { const: status }, error: { enum: group } } },
            ],
          },
          examples: Object.fromEntries(group.map((id) => [id, { summary: id, value: ERROR_EXAMPLES[id] }])),
        },
      },
    };
  }
  return out;
}

function infoDescription(versions: readonly ApiVersion[]): string {
  const rows = (Object.keys(STATUS_BY_ERROR) as ErrorId[])
    .map((id) => `| ${STATUS_BY_ERROR[id]} | \`${id}\` | ${ERROR_DESCRIPTIONS[id]} |`)
    .join('\n');
  return [
    'Publishes Kubernetes operator manifests to Quay’s application registry, from an uploaded zip or from a Koji build.',
    '',
    versions.includes('v1')
      ? 'v1 and v2 differ only in where the target repository comes from: v1 takes it from the URL (and requires it to equal the bundle’s `packageName`); v2 takes it from the bundle’s `packageName`. **v1 is deprecated.**'
      : 'v2 takes the target repository from the bundle’s `packageName`. (The deprecated v1 API is described at `/v1/openapi.json`.)',
    '',
    'Publish and delete calls need an `Authorization` header: the caller’s Quay token, passed to Quay as is.',
    '',
    'Every response is JSON. Every error is `{"status", "error", "message"}` (HTTP status = `status`), plus `validation_info`, `quay_response` or `greenwave_response` for some errors:',
    '',
    '| status | error | when |',
    '|---|---|---|',
    rows,
  ].join('\n');
}

// ----------------------------------------------------------------- schemas

/** A standalone JSON Schema (draft 2020-12, as OpenAPI 3.1 uses) of a zod schema, without `$schema`. */
function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { target: 'draft-2020-12' }) as JsonSchema;
  return json;
}

/** components/schemas: every shared schema, referring to the others by `$ref`. */
function componentSchemas(): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENT_SCHEMAS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    uri: (id) => `#/components/schemas/${id}`,
  });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, json]) => {
      const { $schema: _s, $id: _i, ...rest } = json as JsonSchema;
      return [id, rest];
    }),
  );
}

// ------------------------------------------------------------------ routes

/**
 * `GET /v1/openapi.json`, `GET /v2/openapi.json` (each version's document), `GET /docs` (a viewer
 * of v2) and the viewer's files, cacheable (ETag, If-None-Match → 304).
 */
export function registerApiDocs<E extends Env>(
  app: Hono<E>,
  serviceVersion: string,
  viewer: DocsAssets | undefined,
): void {
  const documents = new Map<ApiVersion, OpenApiDocument>();
  for (const v of ['v1', 'v2'] as const) {
    app.get(apiDocsPaths.openapi[v], (c) => {
      let document = documents.get(v);
      if (!document) {
        document = openApiDocument(serviceVersion, v);
        documents.set(v, document);
      }
      return c.json(document, 200);
    });
  }
  const page = docsPage(apiDocsPaths.openapi.v2, viewer !== undefined);
  app.get(apiDocsPaths.docs, (c) => c.html(page, 200));
  if (!viewer) return;
  const assets = servedAssets(viewer);
  for (const path of [apiDocsPaths.viewer.script, apiDocsPaths.viewer.styles]) {
    app.get(path, (c) => {
      const file = assets().find((a) => a.path === path)!;
      const headers = {
        ETag: file.etag,
        'Cache-Control': 'public, max-age=3600',
        'X-Content-Type-Options': 'nosniff',
      };
      if (matchesEtag(c.req.header('if-none-match'), file.etag)) return c.body(null, 304, headers);
      return c.body(file.body, 200, { ...headers, 'Content-Type': file.contentType });
    });
  }
}

function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

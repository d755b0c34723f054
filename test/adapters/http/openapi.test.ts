/**
 * The OpenAPI document (GET /v1|v2/openapi.json) and the /docs page: the
 * document lists every route, every error, and describes exactly what the app
 * answers (real responses parse with the documented schemas).
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { beforeEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { STATUS_BY_ERROR } from '../../../src/adapters/http/error-table.js';
import { type OpenApiDocument, type Operation, openApiDocument } from '../../../src/adapters/http/openapi.js';
import { allRoutes, apiDocsPaths } from '../../../src/adapters/http/routes.js';
import {
  COMPONENT_SCHEMAS,
  type ComponentName,
  ERROR_EXAMPLES,
  ErrorBodySchema,
  VERSION_PATTERN,
} from '../../../src/adapters/http/schemas.js';
import type { ErrorId } from '../../../src/domain/errors.js';
import { isValidVersion } from '../../../src/domain/release-version.js';
import { SERVICE_VERSION } from '../../../src/infrastructure/version.js';
import { multipart, sampleZip } from '../../support/bundles.js';
import { AUTH, json, makeHttpApp } from '../../support/http-app.js';

const NVR = 'hello-operator-container-1.0.0-1';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const DOCS_PATHS: string[] = [
  apiDocsPaths.docs,
  apiDocsPaths.openapi.v1,
  apiDocsPaths.openapi.v2,
  apiDocsPaths.viewer.script,
  apiDocsPaths.viewer.styles,
];
const API_ROUTES = allRoutes().filter((r) => !DOCS_PATHS.includes(r.path));
const ALL = openApiDocument(SERVICE_VERSION);

let h: ReturnType<typeof makeHttpApp>;

beforeEach(() => {
  h = makeHttpApp();
  h.buildSystem.add(NVR, { kind: 'operator', archive: sampleZip() });
});

async function fetchDocument(v: 'v1' | 'v2'): Promise<OpenApiDocument> {
  const res = await h.app.request(`/${v}/openapi.json`);
  expect(res.status).toBe(200);
  return (await json(res)) as unknown as OpenApiDocument;
}

const template = (path: string) => path.replace(/:(\w+)/g, '{$1}');

function eachOperation(doc: OpenApiDocument): { path: string; method: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ path, method, op })),
  );
}

/** The operation serving a concrete request path, found by its path template. */
function operationFor(doc: OpenApiDocument, method: string, path: string): Operation {
  const segments = path.split('?')[0]!.split('/');
  for (const [tpl, item] of Object.entries(doc.paths)) {
    const want = tpl.split('/');
    if (want.length !== segments.length) continue;
    if (!want.every((seg, i) => (seg.startsWith('{') ? segments[i] !== '' : seg === segments[i]))) continue;
    const op = item[method.toLowerCase()];
    if (op) return op;
  }
  throw new Error(`${method} ${path} is not documented`);
}

function resolve(doc: unknown, pointer: string): unknown {
  expect(pointer.startsWith('#/'), pointer).toBe(true);
  let node: unknown = doc;
  for (const raw of pointer.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(key in node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function collectRefs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) collectRefs(item, out);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') out.push(value);
      else collectRefs(value, out);
    }
  }
  return out;
}

const componentName = (ref: string) => ref.replace('#/components/schemas/', '') as ComponentName;

interface MediaType {
  schema: {
    $ref?: string;
    allOf?: [{ $ref: string }, { properties: { status: { const: number }; error: { enum: ErrorId[] } } }];
  };
  examples?: Record<string, { value: unknown }>;
}

/**
 * Parses `body` with the schema the document gives for that response: a
 * component schema, or the error body narrowed to the status and ids listed.
 */
function expectDocumented(op: Operation, status: number, body: unknown): void {
  const response = op.responses[String(status)] as { content: Record<string, MediaType> } | undefined;
  expect(response, `${op.operationId} documents ${status}`).toBeDefined();
  const media = response!.content['application/json']!;
  if (media.schema.$ref) {
    const schema: z.ZodType = COMPONENT_SCHEMAS[componentName(media.schema.$ref)];
    expect(schema.safeParse(body).error).toBeUndefined();
    return;
  }
  const [base, narrowing] = media.schema.allOf!;
  expect(base.$ref).toBe('#/components/schemas/ErrorBody');
  const parsed = ErrorBodySchema.parse(body);
  expect(parsed.status).toBe(narrowing.properties.status.const);
  expect(narrowing.properties.error.enum).toContain(parsed.error);
}

function expectErrorBody(body: unknown, status: number, error: ErrorId): void {
  const parsed = ErrorBodySchema.parse(body);
  expect(parsed).toMatchObject({ status, error });
  expect(STATUS_BY_ERROR[parsed.error]).toBe(parsed.status);
}

describe('GET /v1|v2/openapi.json', () => {
  it('/v2/openapi.json is an OpenAPI 3.1.0 JSON document of the v2 routes, with the service version', async () => {
    const doc = await fetchDocument('v2');
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe(SERVICE_VERSION);
    const ops = eachOperation(doc);
    expect(ops.length).toBe(API_ROUTES.filter((r) => r.path.startsWith('/v2/')).length);
    expect(ops.every(({ path, op }) => path.startsWith('/v2/') && op.deprecated === undefined)).toBe(true);
    expect(doc).toEqual(JSON.parse(JSON.stringify(openApiDocument(SERVICE_VERSION, 'v2'))));
  });

  it('/v1/openapi.json documents the v1 routes, every one deprecated', async () => {
    const doc = await fetchDocument('v1');
    const ops = eachOperation(doc);
    expect(ops.length).toBe(API_ROUTES.filter((r) => r.path.startsWith('/v1/')).length);
    expect(ops.every(({ path, op }) => path.startsWith('/v1/') && op.deprecated === true)).toBe(true);
  });

  it('the document is plain JSON (nothing lost in serialization)', () => {
    expect(JSON.parse(JSON.stringify(ALL))).toEqual(ALL);
  });

  it('is served for GET only: other methods get 405 with Allow', async () => {
    const res = await h.app.request('/v2/openapi.json', { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    expectErrorBody(await json(res), 405, 'MethodNotAllowed');
  });
});

describe('coverage of the routes and errors', () => {
  it('every route of allRoutes() (but the docs) appears with its method, and nothing else', () => {
    const documented = eachOperation(ALL).map(({ path, method }) => `${method.toUpperCase()} ${path}`);
    const routes = API_ROUTES.map((r) => `${r.method} ${template(r.path)}`);
    expect(documented.sort()).toEqual([...routes].sort());
    for (const path of DOCS_PATHS) expect(ALL.paths[path]).toBeUndefined();
  });

  it('every error id of STATUS_BY_ERROR appears, at its status', () => {
    const ids = Object.keys(STATUS_BY_ERROR) as ErrorId[];
    expect((ALL.components.schemas.ErrorId as { enum: string[] }).enum).toEqual(ids);
    const text = JSON.stringify(ALL);
    for (const id of ids) expect(text).toContain(`\`${id}\``);

    const inResponses = new Set<string>();
    for (const { op } of eachOperation(ALL)) {
      for (const [status, response] of Object.entries(op.responses)) {
        const media = (response as { content?: Record<string, MediaType> }).content?.['application/json'];
        const narrowing = media?.schema.allOf?.[1];
        if (!narrowing) continue;
        expect(narrowing.properties.status.const).toBe(Number(status));
        for (const id of narrowing.properties.error.enum) {
          expect(STATUS_BY_ERROR[id], `${op.operationId}: ${id}`).toBe(Number(status));
          expect(response.description as string).toContain(`\`${id}\``);
          inResponses.add(id);
        }
      }
    }
    // Only the route-less error is not tied to an operation (NotFound: the catalog routes' unknown package).
    expect(ids.filter((id) => !inResponses.has(id))).toEqual(['MethodNotAllowed']);
  });

  /** The error ids each error status of an operation lists. */
  const errorsOf = (operationId: string): Record<string, ErrorId[]> => {
    const op = eachOperation(ALL).find(({ op }) => op.operationId === operationId)!.op;
    const out: Record<string, ErrorId[]> = {};
    for (const [status, r] of Object.entries(op.responses)) {
      const narrowing = (r as { content: Record<string, MediaType> }).content['application/json']!.schema
        .allOf?.[1];
      if (narrowing) out[status] = narrowing.properties.error.enum;
    }
    return out;
  };

  it('zipfile: 400/403/413/500 with their ids', () => {
    const e = errorsOf('v2PublishZipfileVersion');
    expect(e['400']).toEqual([
      'OMPSUploadedFileError',
      'OMPSExpectedFileError',
      'PackageValidationError',
      'OMPSInvalidVersionFormat',
      'CatalogValidationError',
    ]);
    expect(e['403']).toEqual([
      'OMPSAuthorizationHeaderRequired',
      'QuayAuthorizationError',
      'RegistryAuthorizationError',
    ]);
    expect(e['413']).toEqual(['RequestEntityTooLarge']);
    expect(e['500']).toEqual([
      'QuayCourierError',
      'QuayPackageError',
      'RegistryError',
      'OMPSBundleJobTimeout',
      'InternalServerError',
    ]);
    expect(e['404']).toBeUndefined();
    // No version in the URL: no OMPSInvalidVersionFormat.
    expect(errorsOf('v2PublishZipfile')['400']).not.toContain('OMPSInvalidVersionFormat');
  });

  it('koji: adds the Koji and Greenwave errors, 404 KojiNVRBuildNotFound, no 413', () => {
    const e = errorsOf('v1PublishKojiVersion');
    expect(e['400']).toEqual(
      expect.arrayContaining([
        'KojiNotAnOperatorImage',
        'GreenwaveUnsatisfiedError',
        'OMPSInvalidVersionFormat',
      ]),
    );
    expect(e['400']).not.toContain('OMPSExpectedFileError');
    expect(e['404']).toEqual(['KojiNVRBuildNotFound']);
    expect(e['500']).toEqual(
      expect.arrayContaining([
        'KojiManifestsArchiveNotFound',
        'KojiError',
        'GreenwaveError',
        'QuayCourierError',
      ]),
    );
    expect(e['413']).toBeUndefined();
  });

  it('delete: 403, 404 QuayPackageNotFound, 500 QuayPackageError, 400 CatalogValidationError', () => {
    const e = errorsOf('v2DeleteReleases');
    expect(e['403']).toEqual([
      'OMPSAuthorizationHeaderRequired',
      'QuayAuthorizationError',
      'RegistryAuthorizationError',
    ]);
    expect(e['404']).toEqual(['QuayPackageNotFound']);
    expect(e['500']).toEqual(['QuayPackageError', 'RegistryError', 'InternalServerError']);
    expect(e['400']).toEqual(['CatalogValidationError']);
  });

  it('health: 200 and 503 with the same schema', () => {
    const op = operationFor(ALL, 'GET', '/v2/health/ping');
    const schemaOf = (s: string) =>
      (op.responses[s] as { content: Record<string, MediaType> }).content['application/json']!.schema;
    expect(schemaOf('200')).toEqual({ $ref: '#/components/schemas/HealthReport' });
    expect(schemaOf('503')).toEqual(schemaOf('200'));
  });
});

describe('parameters, body and security', () => {
  it('publish and delete need the Authorization header (apiKey security); health and about do not', () => {
    expect(ALL.components.securitySchemes.quayToken).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
    });
    for (const { method, op } of eachOperation(ALL)) {
      if (method === 'get') expect(op.security, op.operationId).toBeUndefined();
      else expect(op.security, op.operationId).toEqual([{ quayToken: [] }]);
    }
  });

  it('zipfile routes take a multipart body with the binary file field; publish routes take ?dry_run', () => {
    for (const { path, method, op } of eachOperation(ALL)) {
      const dryRun = op.parameters?.find((p) => p.name === 'dry_run');
      expect(dryRun !== undefined, op.operationId).toBe(method === 'post');
      if (dryRun) expect(dryRun).toMatchObject({ in: 'query', required: false, schema: { type: 'string' } });
      if (!path.includes('/zipfile')) {
        expect(op.requestBody).toBeUndefined();
        continue;
      }
      expect(op.requestBody).toMatchObject({
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              required: ['file'],
              properties: { file: { type: 'string', format: 'binary', contentMediaType: 'application/zip' } },
            },
          },
        },
      });
    }
  });

  it('path parameters: org, repo, nvr, version; the publish version has the release pattern', () => {
    const params = (method: string, path: string) =>
      Object.fromEntries((operationFor(ALL, method, path).parameters ?? []).map((p) => [p.name, p]));
    const koji = params('POST', '/v1/o/r/koji/n-1-1/1.0.0');
    expect(Object.keys(koji)).toEqual(['org', 'repo', 'nvr', 'version', 'dry_run']);
    expect(koji.version!.schema.pattern).toBe(VERSION_PATTERN);
    const del = params('DELETE', '/v2/o/r/1.0.0');
    expect(Object.keys(del)).toEqual(['org', 'repo', 'version']);
    expect(del.version!.schema.pattern).toBeUndefined();
  });

  it('the documented version pattern agrees with the version check the app uses', () => {
    const re = new RegExp(VERSION_PATTERN);
    for (const v of [
      '0.0.0',
      '1.0.0',
      '10.20.30',
      '1.0',
      'v1.0.0',
      '01.0.0',
      '1.0.0-rc1',
      '1..0',
      ' 1.0.0',
      '',
    ]) {
      expect(re.test(v), v).toBe(isValidVersion(v));
    }
  });
});

describe('the document is valid OpenAPI 3.1 (structural check)', () => {
  const docs = { all: ALL, v1: openApiDocument('x', 'v1'), v2: openApiDocument('x', 'v2') };

  it.each(Object.entries(docs))('%s', (_name, doc) => {
    expect(doc.openapi).toBe('3.1.0');
    expect(typeof doc.info.title).toBe('string');
    expect(typeof doc.info.version).toBe('string');
    expect(Object.keys(doc.paths).length).toBeGreaterThan(0);

    // Every $ref resolves inside the document.
    for (const ref of collectRefs(doc)) expect(resolve(doc, ref), ref).toBeDefined();
    // Components are plain 2020-12 schemas: no per-schema dialect or id, no OpenAPI 3.0 `nullable`.
    const components = JSON.stringify(doc.components.schemas);
    expect(components).not.toMatch(/"\$schema"|"\$id"|"nullable"/);

    const tags = new Set(doc.tags.map((t) => t.name));
    const operationIds: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      expect(path).toMatch(/^\//);
      expect(path).not.toContain(':');
      const inTemplate = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        expect(METHODS, method).toContain(method);
        operationIds.push(op.operationId);
        const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
        expect(pathParams.map((p) => p.name)).toEqual(inTemplate);
        for (const p of pathParams) expect(p.required, `${path} ${p.name}`).toBe(true);
        const keys = (op.parameters ?? []).map((p) => `${p.in}:${p.name}`);
        expect(new Set(keys).size).toBe(keys.length);
        for (const p of op.parameters ?? []) expect(p.schema).toBeTypeOf('object');

        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
        for (const [status, response] of Object.entries(op.responses)) {
          expect(status).toMatch(/^[1-5]\d\d$/);
          expect(typeof response.description).toBe('string');
        }
        for (const tag of op.tags) expect(tags).toContain(tag);
        for (const requirement of op.security ?? []) {
          for (const scheme of Object.keys(requirement))
            expect(doc.components.securitySchemes[scheme]).toBeDefined();
        }
      }
    }
    expect(new Set(operationIds).size).toBe(operationIds.length);
  });
});

describe('the document validates against the official OpenAPI 3.1 schema', () => {
  it.each(['v1', 'v2', 'all'] as const)('%s', async (which) => {
    const validator = new Validator();
    const result = await validator.validate(
      openApiDocument(SERVICE_VERSION, which) as unknown as Parameters<Validator['validate']>[0],
    );
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });
});

describe('examples', () => {
  it('every example of a component schema parses with that schema', () => {
    let count = 0;
    for (const [name, json] of Object.entries(ALL.components.schemas)) {
      for (const example of (json.examples as unknown[] | undefined) ?? []) {
        expect(COMPONENT_SCHEMAS[name as ComponentName].safeParse(example).error, name).toBeUndefined();
        count++;
      }
    }
    expect(count).toBeGreaterThanOrEqual(10);
  });

  it('every response example parses with its documented schema', () => {
    let count = 0;
    for (const { op } of eachOperation(ALL)) {
      for (const [status, response] of Object.entries(op.responses)) {
        // The catalog package route answers JSON lines, not a JSON document.
        const media = (response as { content: Record<string, MediaType> }).content['application/json'];
        for (const example of Object.values(media?.examples ?? {})) {
          expectDocumented(op, Number(status), example.value);
          count++;
        }
      }
    }
    expect(count).toBeGreaterThan(50);
    for (const [id, body] of Object.entries(ERROR_EXAMPLES))
      expectErrorBody(body, STATUS_BY_ERROR[id as ErrorId], id as ErrorId);
  });

  /** The bodies of SPEC §2, written out by hand. */
  const SPEC_BODIES: [ComponentName, unknown][] = [
    [
      'ZipfileRelease',
      { organization: 'o', repo: 'r', version: '1.0.0', extracted_files: ['a.yaml', 'd/b.yaml'] },
    ],
    ['KojiRelease', { organization: 'o', repo: 'r', version: '1.0.0', extracted_files: [], nvr: 'n-1-1' }],
    [
      'ZipfileDryRun',
      {
        organization: 'o',
        repo: 'r',
        version: '2.0.0',
        extracted_files: ['a.yaml'],
        dry_run: true,
        validation_info: { errors: [], warnings: ['w'] },
        files_to_push: ['bundle.yaml'],
      },
    ],
    ['DeleteResult', { organization: 'o', repo: 'r', deleted: ['1.0.0', 'not-semver'] }],
    [
      'HealthReport',
      {
        ok: true,
        status: 200,
        services: {
          quay: { ok: true, details: 'It works!' },
          koji: { ok: true, details: 'It works!' },
          greenwave: null,
        },
      },
    ],
    [
      'HealthReport',
      {
        ok: false,
        status: 503,
        services: {
          quay: { ok: true, details: 'It works!' },
          koji: { ok: false, details: 'down' },
          greenwave: { ok: true, details: 'It works!' },
        },
      },
    ],
    ['About', { version: '0.1.0', operatorcourier: '2.1.11' }],
    [
      'ErrorBody',
      {
        status: 400,
        error: 'PackageValidationError',
        message: 'm',
        validation_info: { errors: ['e'], warnings: [] },
      },
    ],
    ['ErrorBody', { status: 400, error: 'PackageValidationError', message: 'm', validation_info: {} }],
    [
      'ErrorBody',
      {
        status: 500,
        error: 'QuayCourierError',
        message: 'm',
        quay_response: { error: { code: 'package-exists' } },
      },
    ],
    ['ErrorBody', { status: 403, error: 'QuayAuthorizationError', message: 'm', quay_response: {} }],
    [
      'ErrorBody',
      {
        status: 400,
        error: 'GreenwaveUnsatisfiedError',
        message: 'm',
        greenwave_response: { policies_satisfied: false },
      },
    ],
    ['ErrorBody', { status: 404, error: 'NotFound', message: 'm' }],
  ];

  it.each(SPEC_BODIES)('SPEC §2 body parses with %s', (name, body) => {
    expect(COMPONENT_SCHEMAS[name].safeParse(body).error).toBeUndefined();
  });

  it.each([
    ['ZipfileRelease', { organization: 'o', repo: 'r', version: '1.0.0', extracted_files: [], surprise: 1 }],
    ['ErrorBody', { status: 400, error: 'NoSuchError', message: 'm' }],
    [
      'ErrorBody',
      { status: 400, error: 'PackageValidationError', message: 'm', validation_info: { errors: [] } },
    ],
    [
      'HealthReport',
      {
        ok: true,
        status: 201,
        services: { quay: { ok: true, details: '' }, koji: { ok: true, details: '' }, greenwave: null },
      },
    ],
  ] as [ComponentName, unknown][])('a body unlike the documentation fails %s', (name, body) => {
    expect(COMPONENT_SCHEMAS[name].safeParse(body).success).toBe(false);
  });
});

describe('the app answers what the document says', () => {
  async function call(method: string, path: string, init: RequestInit = {}) {
    const res = await h.app.request(path, { method, ...init });
    const body = await json(res);
    expectDocumented(operationFor(ALL, method, path), res.status, body);
    return { status: res.status, body };
  }
  const upload = (path: string, headers: Record<string, string> = AUTH) =>
    call('POST', path, { headers, body: multipart(sampleZip()) });

  it('zip publish (v1 and v2), and its dry run', async () => {
    expect((await upload('/v2/myorg/zipfile')).status).toBe(200);
    expect((await upload('/v1/myorg/hello-operator/zipfile/7.0.0')).status).toBe(200);
    const dry = await upload('/v2/myorg/zipfile/9.0.0?dry_run=true');
    expect(dry.body).toMatchObject({ dry_run: true });
    expect(COMPONENT_SCHEMAS.ZipfileDryRun.parse(dry.body)).toBeTruthy();
    // SPEC §2's names, in the original's order (the use case's camelCase never reaches the wire).
    expect(Object.keys(dry.body)).toEqual([
      'organization',
      'repo',
      'version',
      'extracted_files',
      'dry_run',
      'validation_info',
      'files_to_push',
    ]);
  });

  it('koji publish and its dry run', async () => {
    const res = await call('POST', `/v2/myorg/koji/${NVR}`, { headers: AUTH });
    expect(COMPONENT_SCHEMAS.KojiRelease.parse(res.body)).toMatchObject({ nvr: NVR });
    const dry = await call('POST', `/v2/myorg/koji/${NVR}/5.0.0?dry_run=yes`, { headers: AUTH });
    expect(COMPONENT_SCHEMAS.KojiDryRun.parse(dry.body)).toMatchObject({ dry_run: true });
  });

  it('delete (every release, one release)', async () => {
    h.registry.seed('myorg', 'hello-operator', ['1.0.0', '2.0.0', 'odd']);
    expect((await call('DELETE', '/v2/myorg/hello-operator/odd', { headers: AUTH })).status).toBe(200);
    const all = await call('DELETE', '/v1/myorg/hello-operator', { headers: AUTH });
    expect(all.body).toMatchObject({ deleted: ['1.0.0', '2.0.0'] });
  });

  it('health (200 with and without Greenwave, 503) and about', async () => {
    expect((await call('GET', '/v2/health/ping')).status).toBe(200);
    h = makeHttpApp({ greenwave: null });
    expect((await call('GET', '/v1/health/ping')).body).toMatchObject({ services: { greenwave: null } });
    h.registry.unavailable = 'Cannot connect to Quay';
    expect((await call('GET', '/v2/health/ping')).status).toBe(503);
    expect((await call('GET', '/v2/about')).body).toEqual({
      version: SERVICE_VERSION,
      operatorcourier: expect.any(String),
    });
  });

  it('errors: 400 (plain and with validation_info), 403, 404, 413', async () => {
    expectErrorBody((await upload('/v2/myorg/zipfile/1.0')).body, 400, 'OMPSInvalidVersionFormat');
    const invalid = await upload('/v1/myorg/other/zipfile');
    expectErrorBody(invalid.body, 400, 'PackageValidationError');
    expect(invalid.body.validation_info).toMatchObject({ errors: [expect.any(String)] });
    expectErrorBody((await upload('/v2/myorg/zipfile', {})).body, 403, 'OMPSAuthorizationHeaderRequired');
    expectErrorBody(
      (await call('POST', '/v2/myorg/koji/nothing-1-1', { headers: AUTH })).body,
      404,
      'KojiNVRBuildNotFound',
    );
    expectErrorBody(
      (await call('DELETE', '/v2/myorg/nothing', { headers: AUTH })).body,
      404,
      'QuayPackageNotFound',
    );
    h = makeHttpApp({ max_content_length: 100 });
    expectErrorBody((await upload('/v2/myorg/zipfile')).body, 413, 'RequestEntityTooLarge');
  });

  it('an unknown route and a wrong method answer the documented error body', async () => {
    const missing = await h.app.request('/v2/no/such/route/here/at/all');
    expect(missing.status).toBe(404);
    expectErrorBody(await json(missing), 404, 'NotFound');
    const wrong = await h.app.request('/v2/about', { method: 'DELETE' });
    expectErrorBody(await json(wrong), 405, 'MethodNotAllowed');
  });
});

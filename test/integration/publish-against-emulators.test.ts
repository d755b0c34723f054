/**
 * The real app (every real adapter, no overrides but a capturing logger and
 * Node's request context) talking over HTTP to the Quay, Koji and Greenwave
 * emulators on 127.0.0.1. Each test checks what the caller sees AND what
 * reached the upstreams (SPEC §2, §3, §6, §7, §8).
 */

import type { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { AppEnv } from '../../src/adapters/http/app.js';
import { parseConfig } from '../../src/infrastructure/config.js';
import { createService } from '../../src/infrastructure/container.js';
import { type GreenwaveEmulator, startGreenwaveEmulator } from '../emulators/greenwave-emulator.js';
import { type KojiEmulator, startKojiEmulator } from '../emulators/koji-emulator.js';
import { type QuayEmulator, startQuayEmulator, unpackBlob } from '../emulators/quay-emulator.js';
import { fixtureFiles, fixtureZip, multipart, text } from '../support/bundles.js';
import { capturingLogger } from '../support/capturing-logger.js';

/** A realistic CNR token; it must never show up in a log line or an error body. */
const TOKEN = 'basic c2VjcmV0LXVzZXI6c2VjcmV0LXBhc3M=';
const TOKEN_FRAGMENT = 'c2VjcmV0';
const BAD_TOKEN = 'basic bm9ib2R5Om5vcGU=';
const OAUTH = 'oauth-secret-0123456789';
const ORG = 'acme';
const PUBLIC_ORG = 'acme-public';
const AUTH = { Authorization: TOKEN };

/** Every log line of every app built in this file (checked for secrets at the end). */
const allLogLines: string[] = [];

type Json = Record<string, unknown>;

interface Answer {
  status: number;
  body: Json;
  headers: Headers;
}

/** The flat fixture's manifests, parsed as the user wrote them. */
function flatFixtureObjects() {
  const files = fixtureFiles('marketplace_op_flat');
  return {
    pkg: parseYaml(text(files['packages.yaml'])) as Json,
    csv: parseYaml(text(files['csv.yaml'])) as Json,
    crds: [parseYaml(text(files['crd.yml'])), parseYaml(text(files['subscription-crd.yaml']))] as Json[],
  };
}

/** bundle.yaml of a flat push, its three sections parsed back into objects. */
async function flatBundleOf(blob: Uint8Array) {
  const unpacked = await unpackBlob(blob);
  expect(unpacked.topLevel).toHaveLength(1);
  expect(unpacked.files.map((f) => f.path)).toEqual(['bundle.yaml']);
  const bundleText = text(unpacked.files[0]!.data);
  const bundle = parseYaml(bundleText) as { data: Record<string, unknown> };
  const data = bundle.data;
  expect(Object.keys(data).sort()).toEqual([
    'clusterServiceVersions',
    'customResourceDefinitions',
    'packages',
  ]);
  for (const key of Object.keys(data)) expect(typeof data[key]).toBe('string');
  return {
    topLevel: unpacked.topLevel[0]!,
    bundleText,
    packages: parseYaml(data.packages as string) as Json[],
    csvs: parseYaml(data.clusterServiceVersions as string) as Json[],
    crds: parseYaml(data.customResourceDefinitions as string) as Json[],
  };
}

describe('the real app against the Quay, Koji and Greenwave emulators', () => {
  let quay: QuayEmulator;
  let koji: KojiEmulator;
  let greenwave: GreenwaveEmulator;
  let logLines: string[];
  /** Emulators started by a test itself (closed after it). */
  let extra: { close(): Promise<void> }[];

  const makeApp = (overrides: Json = {}): Hono<AppEnv> => {
    const config = parseConfig({
      quay_url: quay.url,
      kojihub_url: koji.hubUrl,
      kojiroot_url: koji.rootUrl,
      greenwave: { url: greenwave.url, context: 'osbs_push', product_version: 'cvp' },
      request_timeout: 10,
      log_level: 'DEBUG',
      organizations: {
        [PUBLIC_ORG]: {
          public: true,
          oauth_token: OAUTH,
          replace_registry: [{ old: 'quay.io/openshift/', new: 'registry.example.com/mirror/' }],
          package_name_suffix: '-acme',
          csv_annotations: [{ name: 'acme.example.com/package', value: 'pkg={package_name}' }],
        },
      },
      ...overrides,
    });
    const { logger, requestContext } = capturingLogger(logLines, allLogLines);
    return createService(config, { requestContext, logger });
  };

  let app: Hono<AppEnv>;

  /** One HTTP call to the app; no answer may ever carry the caller's token. */
  const call = async (
    target: Hono<AppEnv>,
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: BodyInit } = {},
  ): Promise<Answer> => {
    const res = await target.request(path, {
      method,
      headers: init.headers ?? {},
      ...(init.body ? { body: init.body } : {}),
    });
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const raw = await res.text();
    expect(raw).not.toContain(TOKEN_FRAGMENT);
    expect(raw).not.toContain(OAUTH);
    const body = JSON.parse(raw) as Json;
    expect(body.status ?? res.status).toBe(res.status);
    // Every error has the SPEC §2 shape (health's 503 is a report, not an error).
    if (res.status >= 400 && !path.includes('/health/')) {
      expect(typeof body.error).toBe('string');
      expect(typeof body.message).toBe('string');
    }
    return { status: res.status, body, headers: res.headers };
  };

  const publishZip = (
    path: string,
    zip: Uint8Array,
    headers: Record<string, string> = AUTH,
    target: Hono<AppEnv> = app,
  ) => call(target, 'POST', path, { headers, body: multipart(zip) });

  beforeEach(async () => {
    [quay, koji, greenwave] = await Promise.all([
      startQuayEmulator({ tokens: [TOKEN], oauthTokens: [OAUTH] }),
      startKojiEmulator(),
      startGreenwaveEmulator(),
    ]);
    logLines = [];
    extra = [];
    app = makeApp();
  });

  afterEach(async () => {
    await Promise.all([quay.close(), koji.close(), greenwave.close(), ...extra.map((e) => e.close())]);
  });

  describe('publishing an uploaded zip', () => {
    it('v2, flat fixture: answers 200 and pushes the bundle Quay expects', async () => {
      const res = await publishZip(`/v2/${ORG}/zipfile/1.2.3`, fixtureZip('marketplace_op_flat'));

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        organization: ORG,
        repo: 'marketplace',
        version: '1.2.3',
        extracted_files: ['crd.yml', 'csv.yaml', 'packages.yaml', 'subscription-crd.yaml'],
      });

      const pushes = quay.state.requestsFor('push');
      expect(pushes).toHaveLength(1);
      const request = pushes[0]!;
      expect(request.method).toBe('POST');
      expect(request.path).toBe(`/cnr/api/v1/packages/${ORG}/marketplace`);
      expect(request.headers.authorization).toBe(TOKEN);
      const body = JSON.parse(request.body) as Json;
      expect(body.release).toBe('1.2.3');
      expect(body.media_type).toBe('helm');
      expect(typeof body.blob).toBe('string');

      const blob = new Uint8Array(Buffer.from(body.blob as string, 'base64'));
      const bundle = await flatBundleOf(blob);
      const fixture = flatFixtureObjects();
      expect(bundle.packages).toEqual([fixture.pkg]);
      expect(bundle.csvs).toEqual([fixture.csv]);
      expect(bundle.crds).toEqual(fixture.crds);
      // Files that are not manifests (or are dropped) never travel in a flat push.
      expect(quay.state.releases(ORG, 'marketplace')).toEqual(['1.2.3']);
    });

    it('v2, a zip of one folder: the folder is the root', async () => {
      const res = await publishZip(`/v2/${ORG}/zipfile`, fixtureZip('marketplace_op_flat', 'my-operator/'));

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ repo: 'marketplace', version: '1.0.0' });
      expect(quay.state.pushes).toHaveLength(1);
      const bundle = await flatBundleOf(quay.state.pushes[0]!.blob);
      expect(bundle.packages).toEqual([flatFixtureObjects().pkg]);
    });

    it('v2, nested fixture: the pushed tar holds the tree, bytes unchanged', async () => {
      const res = await publishZip(`/v2/${ORG}/zipfile/0.9.2`, fixtureZip('etcd_op_nested'));

      expect(res.status).toBe(200);
      const files = fixtureFiles('etcd_op_nested');
      const paths = Object.keys(files).sort();
      expect(res.body).toEqual({ organization: ORG, repo: 'etcd', version: '0.9.2', extracted_files: paths });

      expect(quay.state.pushes).toHaveLength(1);
      const push = quay.state.pushes[0]!;
      expect(push.repository).toBe('etcd');
      expect(push.headers.authorization).toBe(TOKEN);
      const unpacked = await unpackBlob(push.blob);
      expect(unpacked.topLevel).toHaveLength(1);
      expect(unpacked.files.map((f) => f.path)).toEqual(paths);
      for (const file of unpacked.files) {
        expect(Buffer.from(file.data).equals(Buffer.from(files[file.path]!)), file.path).toBe(true);
      }
    });

    it('v1 auto-versioning: the latest conforming release in Quay gets its major bumped', async () => {
      quay.state.seed(ORG, 'marketplace', ['1.0.0', '2.5.1', '10.0.0-rc1', 'latest', '02.0.0', '2.10.0']);

      const res = await publishZip(`/v1/${ORG}/marketplace/zipfile`, fixtureZip('marketplace_op_flat'));

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ organization: ORG, repo: 'marketplace', version: '3.0.0' });
      const listing = quay.state.requestsFor('list');
      expect(listing.length).toBeGreaterThanOrEqual(1);
      expect(listing[0]!.path).toBe(`/cnr/api/v1/packages?namespace=${ORG}`);
      expect(listing[0]!.headers.authorization).toBe(TOKEN);
      expect(quay.state.pushes.map((p) => [p.repository, p.release])).toEqual([['marketplace', '3.0.0']]);
    });

    it('v1 auto-versioning: only non-conforming releases → the default release version', async () => {
      quay.state.seed(ORG, 'marketplace', ['latest', '1.0', 'v2.0.0', '3.0.0-beta']);

      const res = await publishZip(`/v1/${ORG}/marketplace/zipfile`, fixtureZip('marketplace_op_flat'));

      expect(res.status).toBe(200);
      expect(res.body.version).toBe('1.0.0');
      expect(quay.state.pushes.map((p) => p.release)).toEqual(['1.0.0']);
    });

    it('v1 auto-versioning: a repository Quay does not know → default_release_version', async () => {
      const custom = makeApp({ default_release_version: '0.1.0' });

      const res = await publishZip(
        `/v1/${ORG}/marketplace/zipfile`,
        fixtureZip('marketplace_op_flat'),
        AUTH,
        custom,
      );

      expect(res.status).toBe(200);
      expect(res.body.version).toBe('0.1.0');
      expect(quay.state.releases(ORG, 'marketplace')).toEqual(['0.1.0']);
    });

    it('v1: a repository that is not the packageName → 400 PackageValidationError, nothing pushed', async () => {
      const res = await publishZip(`/v1/${ORG}/other-name/zipfile/1.0.0`, fixtureZip('marketplace_op_flat'));

      expect(res.status).toBe(400);
      expect(res.body.error).toBe('PackageValidationError');
      expect(JSON.stringify(res.body.validation_info)).toContain(
        'The packageName (marketplace) in bundle does not match repository name (other-name)',
      );
      expect(quay.state.requestsFor('push')).toHaveLength(0);
    });

    it('an organization with policies: suffix, replaced registry, annotation, made public with its oauth token', async () => {
      const res = await publishZip(`/v2/${PUBLIC_ORG}/zipfile`, fixtureZip('marketplace_op_flat'));

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        organization: PUBLIC_ORG,
        repo: 'marketplace-acme',
        version: '1.0.0',
      });

      const pushes = quay.state.requestsFor('push');
      expect(pushes).toHaveLength(1);
      expect(pushes[0]!.path).toBe(`/cnr/api/v1/packages/${PUBLIC_ORG}/marketplace-acme`);
      expect(pushes[0]!.headers.authorization).toBe(TOKEN);

      const bundle = await flatBundleOf(quay.state.pushes[0]!.blob);
      expect(bundle.packages[0]!.packageName).toBe('marketplace-acme');
      expect(bundle.bundleText).not.toContain('quay.io/openshift/');
      expect(bundle.bundleText).toContain('registry.example.com/mirror/origin-operator-marketplace:latest');
      const csv = bundle.csvs[0] as { metadata: { annotations: Record<string, string> } };
      expect(csv.metadata.annotations['acme.example.com/package']).toBe('pkg=marketplace-acme');

      const visibility = quay.state.requestsFor('visibility');
      expect(visibility).toHaveLength(1);
      expect(visibility[0]!.method).toBe('POST');
      expect(visibility[0]!.path).toBe(`/api/v1/repository/${PUBLIC_ORG}/marketplace-acme/changevisibility`);
      expect(visibility[0]!.headers.authorization).toBe(`Bearer ${OAUTH}`);
      expect(JSON.parse(visibility[0]!.body)).toEqual({ visibility: 'public' });
      expect(quay.state.visibility(PUBLIC_ORG, 'marketplace-acme')).toBe('public');
      // Made public only after the push.
      const order = quay.state.requests.map((r) => r.operation);
      expect(order.indexOf('visibility')).toBeGreaterThan(order.indexOf('push'));
    });
    it('a public organization whose repository cannot be made public → 500 QuayPackageError saying the release was pushed', async () => {
      quay.state.fail('visibility', { status: 500 });

      const res = await publishZip(`/v2/${PUBLIC_ORG}/zipfile/1.0.0`, fixtureZip('marketplace_op_flat'));

      expect(res.status).toBe(500);
      expect(res.body.error).toBe('QuayPackageError');
      expect(res.body.message).toMatch(/1\.0\.0 was pushed/);
      expect(quay.state.releases(PUBLIC_ORG, 'marketplace-acme')).toEqual(['1.0.0']);
      expect(quay.state.requestsFor('visibility').length).toBeGreaterThan(1); // retried
      expect(quay.state.visibility(PUBLIC_ORG, 'marketplace-acme')).toBe('private');
    });

    it('a public organization without oauth_token: pushed, not made public, logged', async () => {
      const noOauth = makeApp({ organizations: { [ORG]: { public: true } } });

      const res = await publishZip(`/v2/${ORG}/zipfile`, fixtureZip('marketplace_op_flat'), AUTH, noOauth);

      expect(res.status).toBe(200);
      expect(quay.state.pushes).toHaveLength(1);
      expect(quay.state.requestsFor('visibility')).toHaveLength(0);
      expect(logLines.some((line) => line.includes('oauth_token'))).toBe(true);
    });

    it('two auto-versioned publishes at once: both succeed, with different versions, nothing overwritten', async () => {
      quay.state.seed(ORG, 'marketplace', ['1.0.0']);

      const [a, b] = await Promise.all([
        publishZip(`/v2/${ORG}/zipfile`, fixtureZip('marketplace_op_flat')),
        publishZip(`/v2/${ORG}/zipfile`, fixtureZip('marketplace_op_flat')),
      ]);

      expect([a!.status, b!.status]).toEqual([200, 200]);
      expect([a!.body.version, b!.body.version].sort()).toEqual(['2.0.0', '3.0.0']);
      expect(quay.state.pushes.map((p) => p.release).sort()).toEqual(['2.0.0', '3.0.0']);
      expect(quay.state.releases(ORG, 'marketplace')!.sort()).toEqual(['1.0.0', '2.0.0', '3.0.0']);
    });
  });

  describe('publishing from Koji, gated by Greenwave', () => {
    const FLAT_NVR = 'marketplace-operator-metadata-1.0-1';
    const NESTED_NVR = 'etcd-operator-legacy-metadata-2.0-3';

    beforeEach(() => {
      koji.state.addOperatorBuild(FLAT_NVR, fixtureZip('marketplace_op_flat'));
      koji.state.addLegacyBuild(NESTED_NVR, fixtureZip('etcd_op_nested'));
    });

    it('a typeinfo build, Greenwave satisfied → 200 with the nvr; Greenwave asked the right question', async () => {
      const res = await call(app, 'POST', `/v2/${ORG}/koji/${FLAT_NVR}`, { headers: AUTH });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        organization: ORG,
        repo: 'marketplace',
        version: '1.0.0',
        nvr: FLAT_NVR,
        extracted_files: ['crd.yml', 'csv.yaml', 'packages.yaml', 'subscription-crd.yaml'],
      });
      const decisions = greenwave.state.decisionRequests();
      expect(decisions).toHaveLength(1);
      expect(decisions[0]!.method).toBe('POST');
      expect(decisions[0]!.json).toEqual({
        decision_context: 'osbs_push',
        product_version: 'cvp',
        subject_identifier: FLAT_NVR,
        subject_type: 'koji_build',
      });
      expect(koji.state.callsOf('getBuild').map((c) => c.params)).toEqual([[FLAT_NVR]]);
      expect(koji.state.downloads.map((d) => d.path)).toEqual([
        'packages/marketplace-operator-metadata/1.0/1/files/operator-manifests/operator_manifests.zip',
      ]);
      expect(quay.state.pushes).toHaveLength(1);
      const bundle = await flatBundleOf(quay.state.pushes[0]!.blob);
      expect(bundle.csvs).toEqual([flatFixtureObjects().csv]);
    });

    it('a legacy build (archive found through getBuildLogs) → 200, the nested tree pushed', async () => {
      const res = await call(app, 'POST', `/v1/${ORG}/etcd/koji/${NESTED_NVR}/0.9.2`, { headers: AUTH });

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ organization: ORG, repo: 'etcd', version: '0.9.2', nvr: NESTED_NVR });
      expect(koji.state.callsOf('getBuildLogs')).toHaveLength(1);
      expect(greenwave.state.decisionRequests().map((r) => (r.json as Json).subject_identifier)).toEqual([
        NESTED_NVR,
      ]);
      expect(quay.state.pushes.map((p) => [p.repository, p.release])).toEqual([['etcd', '0.9.2']]);
      const unpacked = await unpackBlob(quay.state.pushes[0]!.blob);
      expect(unpacked.files.map((f) => f.path)).toEqual(Object.keys(fixtureFiles('etcd_op_nested')).sort());
    });

    it('Greenwave unsatisfied → 400 GreenwaveUnsatisfiedError with its answer, and nothing pushed', async () => {
      greenwave.state.answer(FLAT_NVR, { kind: 'unsatisfied', summary: '1 of 1 required tests failed' });

      const res = await call(app, 'POST', `/v2/${ORG}/koji/${FLAT_NVR}`, { headers: AUTH });

      expect(res.status).toBe(400);
      expect(res.body.error).toBe('GreenwaveUnsatisfiedError');
      const answer = res.body.greenwave_response as Json;
      expect(answer.policies_satisfied).toBe(false);
      expect(answer.summary).toBe('1 of 1 required tests failed');
      expect(answer.unsatisfied_requirements).toHaveLength(1);
      expect(quay.state.requestsFor('push')).toHaveLength(0);
      expect(quay.state.pushes).toHaveLength(0);
      expect(quay.state.packages.size).toBe(0);
    });

    it('a Koji download too slow (request_timeout 0.3 s) → 500 KojiError, nothing pushed', async () => {
      const impatient = makeApp({ request_timeout: 0.3 });
      koji.state.failFile('*', { delayMs: 20_000 });

      const started = Date.now();
      const res = await call(impatient, 'POST', `/v2/${ORG}/koji/${FLAT_NVR}`, { headers: AUTH });

      expect(res.status).toBe(500);
      expect(res.body.error).toBe('KojiError');
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(quay.state.requestsFor('push')).toHaveLength(0);
    });

    it('Greenwave too slow (request_timeout 0.3 s) → 500 GreenwaveError, nothing downloaded or pushed', async () => {
      const impatient = makeApp({ request_timeout: 0.3 });
      greenwave.state.delayMs = 20_000;

      const res = await call(impatient, 'POST', `/v2/${ORG}/koji/${FLAT_NVR}`, { headers: AUTH });

      expect(res.status).toBe(500);
      expect(res.body.error).toBe('GreenwaveError');
      expect(koji.state.downloads).toHaveLength(0);
      expect(quay.state.requestsFor('push')).toHaveLength(0);
    });

    it('a build without operator manifests → 400 KojiNotAnOperatorImage', async () => {
      koji.state.addBuild('bash-5.2.26-3.fc40.x', { source: 'git+https://src.example.com/rpms/bash.git' });

      const res = await call(app, 'POST', `/v2/${ORG}/koji/bash-5.2.26-3.fc40.x`, { headers: AUTH });

      expect(res.status).toBe(400);
      expect(res.body.error).toBe('KojiNotAnOperatorImage');
      expect(res.body.message).toMatch(/^Not an operator image: bash-5\.2\.26-3\.fc40\.x/);
      expect(quay.state.requestsFor('push')).toHaveLength(0);
    });

    it('Greenwave failing (500) → 500 GreenwaveError, nothing pushed', async () => {
      greenwave.state.answer(FLAT_NVR, { kind: 'status', status: 500, body: { message: 'db down' } });

      const res = await call(app, 'POST', `/v2/${ORG}/koji/${FLAT_NVR}`, { headers: AUTH });

      expect(res.status).toBe(500);
      expect(res.body.error).toBe('GreenwaveError');
      expect(res.body).toHaveProperty('greenwave_response');
      expect(quay.state.requestsFor('push')).toHaveLength(0);
    });

    it('an unknown NVR → 404 KojiNVRBuildNotFound, Greenwave not asked, nothing pushed', async () => {
      const res = await call(app, 'POST', `/v2/${ORG}/koji/no-such-build-1.0-1`, { headers: AUTH });

      expect(res.status).toBe(404);
      expect(res.body.error).toBe('KojiNVRBuildNotFound');
      expect(res.body.message).toMatch(/^NVR not found: no-such-build-1\.0-1/);
      expect(greenwave.state.decisionRequests()).toHaveLength(0);
      expect(quay.state.requestsFor('push')).toHaveLength(0);
    });

    it('a Koji fault → 500 KojiError, nothing pushed', async () => {
      koji.state.failHub('getBuild', {
        fault: { faultCode: 1, faultString: "<class 'koji.GenericError'>: database unavailable" },
      });

      const res = await call(app, 'POST', `/v2/${ORG}/koji/${FLAT_NVR}`, { headers: AUTH });

      expect(res.status).toBe(500);
      expect(res.body.error).toBe('KojiError');
      expect(quay.state.requestsFor('push')).toHaveLength(0);
    });
  });

  describe('Quay failures, through HTTP', () => {
    it('403 when listing releases → 403 QuayAuthorizationError with quay_response, nothing pushed', async () => {
      const res = await publishZip(`/v2/${ORG}/zipfile`, fixtureZip('marketplace_op_flat'), {
        Authorization: BAD_TOKEN,
      });

      expect(res.status).toBe(403);
      expect(res.body.error).toBe('QuayAuthorizationError');
      expect(res.body.message).toMatch(/^Cannot retrieve information about package acme\/marketplace: /);
      expect(res.body.quay_response).toEqual({
        error: { code: 'unauthorized-access', message: `Unauthorized access for: ${ORG}`, details: {} },
      });
      expect(quay.state.requestsFor('list')[0]!.headers.authorization).toBe(BAD_TOKEN);
      expect(quay.state.requestsFor('push')).toHaveLength(0);
    });

    it("push answered 500 with a JSON error → 500 QuayCourierError carrying Quay's message", async () => {
      quay.state.fail('push', {
        status: 500,
        body: { error: { code: 'internal-error', message: 'storage backend is on fire', details: {} } },
      });

      const res = await publishZip(`/v2/${ORG}/zipfile/1.0.0`, fixtureZip('marketplace_op_flat'));

      expect(res.status).toBe(500);
      expect(res.body.error).toBe('QuayCourierError');
      expect(res.body.message).toMatch(/^Failed to push manifest: storage backend is on fire/);
      expect(res.body.quay_response).toEqual({
        error: { code: 'internal-error', message: 'storage backend is on fire', details: {} },
      });
      expect(quay.state.requestsFor('push')).toHaveLength(1);
    });

    it('push answered 403 → 403 QuayAuthorizationError with quay_response', async () => {
      quay.state.fail('push', { status: 403 });

      const res = await publishZip(`/v2/${ORG}/zipfile/1.0.0`, fixtureZip('marketplace_op_flat'));

      expect(res.status).toBe(403);
      expect(res.body.error).toBe('QuayAuthorizationError');
      expect(res.body.quay_response).toMatchObject({ error: { message: 'injected fault 403' } });
      expect(res.body.message).toMatch(/^Failed to push manifest: injected fault 403/);
    });

    it('an explicit version that already exists → 500 QuayCourierError, the release untouched', async () => {
      quay.state.seed(ORG, 'marketplace', ['1.0.0']);
      const before = quay.state.packages.get(`${ORG}/marketplace`)!.releases.get('1.0.0');

      const res = await publishZip(`/v2/${ORG}/zipfile/1.0.0`, fixtureZip('marketplace_op_flat'));

      expect(res.status).toBe(500);
      expect(res.body.error).toBe('QuayCourierError');
      expect(res.body.message).toMatch(/^Failed to push manifest: package exists already \(release 1\.0\.0 /);
      expect(quay.state.requestsFor('push')).toHaveLength(1);
      expect(quay.state.pushes).toHaveLength(0);
      expect(quay.state.packages.get(`${ORG}/marketplace`)!.releases.get('1.0.0')).toBe(before);
    });

    it('Quay too slow to list (request_timeout 0.3 s) → 500 QuayPackageError, well before the delay', async () => {
      const impatient = makeApp({ request_timeout: 0.3 });
      quay.state.fail('list', { delayMs: 20_000 });

      const started = Date.now();
      const res = await publishZip(`/v2/${ORG}/zipfile`, fixtureZip('marketplace_op_flat'), AUTH, impatient);

      expect(res.status).toBe(500);
      expect(res.body.error).toBe('QuayPackageError');
      expect(res.body.message).toMatch(
        /^Cannot retrieve information about package acme\/marketplace: .*did not answer within 300 ms/,
      );
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(quay.state.pushes).toHaveLength(0);
    });

    it('Quay too slow to accept a push (request_timeout 0.3 s) → 500 QuayCourierError, never InternalServerError', async () => {
      const impatient = makeApp({ request_timeout: 0.3 });
      quay.state.fail('push', { delayMs: 20_000 });

      const started = Date.now();
      const res = await publishZip(
        `/v2/${ORG}/zipfile/1.0.0`,
        fixtureZip('marketplace_op_flat'),
        AUTH,
        impatient,
      );

      expect(res.status).toBe(500);
      expect(res.body.error).toBe('QuayCourierError');
      expect(Date.now() - started).toBeLessThan(15_000);
    });

    it('Quay down (port closed) → QuayPackageError / QuayCourierError for publish and delete, never InternalServerError', async () => {
      const gone = await startQuayEmulator({ tokens: [TOKEN] });
      const goneUrl = gone.url;
      await gone.close();
      const offline = makeApp({ quay_url: goneUrl });

      const auto = await publishZip(`/v2/${ORG}/zipfile`, fixtureZip('marketplace_op_flat'), AUTH, offline);
      expect(auto.status).toBe(500);
      expect(auto.body.error).toBe('QuayPackageError');
      expect(auto.body.message).toMatch(/could not connect to Quay/i);

      const explicit = await publishZip(
        `/v2/${ORG}/zipfile/1.0.0`,
        fixtureZip('marketplace_op_flat'),
        AUTH,
        offline,
      );
      expect(explicit.status).toBe(500);
      expect(explicit.body.error).toBe('QuayCourierError');

      const removal = await call(offline, 'DELETE', `/v2/${ORG}/marketplace`, { headers: AUTH });
      expect(removal.status).toBe(500);
      expect(removal.body.error).toBe('QuayPackageError');

      const one = await call(offline, 'DELETE', `/v2/${ORG}/marketplace/1.0.0`, { headers: AUTH });
      expect(one.status).toBe(500);
      expect(one.body.error).toBe('QuayPackageError');
    });
  });

  describe('deleting releases', () => {
    it('one release: deleted in Quay as given (a non-conforming one too)', async () => {
      quay.state.seed(ORG, 'marketplace', ['1.0.0', '2.0.0', 'latest']);

      const res = await call(app, 'DELETE', `/v2/${ORG}/marketplace/latest`, { headers: AUTH });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ organization: ORG, repo: 'marketplace', deleted: ['latest'] });
      const deletes = quay.state.requestsFor('delete');
      expect(deletes).toHaveLength(1);
      expect(deletes[0]!.method).toBe('DELETE');
      expect(deletes[0]!.path).toBe(`/cnr/api/v1/packages/${ORG}/marketplace/latest/helm`);
      expect(deletes[0]!.headers.authorization).toBe(TOKEN);
      expect(quay.state.releases(ORG, 'marketplace')).toEqual(['1.0.0', '2.0.0']);
    });

    it('all releases (v1 and v2 routes alike): every raw release deleted', async () => {
      quay.state.seed(ORG, 'marketplace', ['1.0.0', '2.0.0', 'latest']);

      const res = await call(app, 'DELETE', `/v1/${ORG}/marketplace`, { headers: AUTH });

      expect(res.status).toBe(200);
      expect(res.body.organization).toBe(ORG);
      expect(res.body.repo).toBe('marketplace');
      expect([...(res.body.deleted as string[])].sort()).toEqual(['1.0.0', '2.0.0', 'latest']);
      expect(quay.state.releases(ORG, 'marketplace')).toEqual([]);

      const again = await call(app, 'DELETE', `/v2/${ORG}/marketplace`, { headers: AUTH });
      expect(again.status).toBe(200);
      expect(again.body.deleted).toEqual([]);
    });

    it('all releases, one failing: every release tried; 500 QuayPackageError listing deleted and not deleted', async () => {
      quay.state.seed(ORG, 'marketplace', ['1.0.0', '2.0.0', '3.0.0']);
      quay.state.fail('delete', {
        status: 500,
        body: { error: { code: 'internal-error', message: 'disk full', details: {} } },
        times: 1,
      });

      const res = await call(app, 'DELETE', `/v2/${ORG}/marketplace`, { headers: AUTH });

      expect(res.status).toBe(500);
      expect(res.body.error).toBe('QuayPackageError');
      expect(quay.state.requestsFor('delete')).toHaveLength(3);
      const left = quay.state.releases(ORG, 'marketplace')!;
      expect(left).toHaveLength(1);
      const notDeleted = left[0]!;
      const deleted = ['1.0.0', '2.0.0', '3.0.0'].filter((v) => v !== notDeleted);
      const message = res.body.message as string;
      const [deletedPart, notDeletedPart] = message.split('Not deleted');
      expect(notDeletedPart, message).toBeDefined();
      for (const version of deleted) expect(deletedPart).toContain(version);
      expect(deletedPart).not.toContain(notDeleted);
      expect(notDeletedPart).toContain(notDeleted);
      expect(notDeletedPart).toContain('disk full');
    });

    it('an unknown package → 404 QuayPackageNotFound (all releases, and one release)', async () => {
      const all = await call(app, 'DELETE', `/v2/${ORG}/nothing-here`, { headers: AUTH });
      expect(all.status).toBe(404);
      expect(all.body.error).toBe('QuayPackageNotFound');
      expect(all.body.message).toMatch(/^Package acme\/nothing-here not found/);
      expect(quay.state.requestsFor('delete')).toHaveLength(0);

      const one = await call(app, 'DELETE', `/v2/${ORG}/nothing-here/1.0.0`, { headers: AUTH });
      expect(one.status).toBe(404);
      expect(one.body.error).toBe('QuayPackageNotFound');
    });
  });

  describe('health', () => {
    it('all up → 200, quay/koji/greenwave ok', async () => {
      const res = await call(app, 'GET', '/v2/health/ping');

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        ok: true,
        status: 200,
        services: {
          quay: { ok: true, details: 'It works!' },
          koji: { ok: true, details: 'It works!' },
          greenwave: { ok: true, details: 'It works!' },
        },
      });
      expect(quay.state.requestsFor('version')).toHaveLength(1);
      expect(quay.state.requestsFor('version')[0]!.headers.authorization).toBeUndefined();
      expect(koji.state.callsOf('getAPIVersion')).toHaveLength(1);
      expect(greenwave.state.requests.map((r) => r.path)).toEqual(['/api/v1.0/about']);
    });

    it('Quay answering non-JSON → 503, quay not ok with the reason', async () => {
      quay.state.fail('version', { status: 200, body: '<html><body>Welcome to nginx!</body></html>' });

      const res = await call(app, 'GET', '/v1/health/ping');

      expect(res.status).toBe(503);
      expect(res.body.ok).toBe(false);
      expect(res.body.status).toBe(503);
      const services = res.body.services as Record<string, { ok: boolean; details: string }>;
      expect(services.quay!.ok).toBe(false);
      expect(services.quay!.details).toMatch(/not JSON/);
      expect(services.koji!.ok).toBe(true);
      expect(services.greenwave!.ok).toBe(true);
    });

    it('Quay answering JSON without cnr-api → 503, quay not ok with the reason', async () => {
      quay.state.fail('version', { status: 200, body: { 'quay-server': 'v3' } });

      const res = await call(app, 'GET', '/v2/health/ping');

      expect(res.status).toBe(503);
      const services = res.body.services as Record<string, { ok: boolean; details: string }>;
      expect(services.quay).toEqual({ ok: false, details: expect.stringMatching(/cnr-api/) });
    });

    it('Koji down → 503, koji not ok; never a 500', async () => {
      const gone = await startKojiEmulator();
      const { hubUrl, rootUrl } = gone;
      await gone.close();
      const noKoji = makeApp({ kojihub_url: hubUrl, kojiroot_url: rootUrl });

      const res = await call(noKoji, 'GET', '/v2/health/ping');

      expect(res.status).toBe(503);
      const services = res.body.services as Record<string, { ok: boolean; details: string }>;
      expect(services.koji!.ok).toBe(false);
      expect(services.koji!.details).not.toBe('It works!');
      expect(services.koji!.details.length).toBeGreaterThan(0);
      expect(services.quay!.ok).toBe(true);
    });

    it('Quay down → 503, quay not ok; never a 500', async () => {
      const gone = await startQuayEmulator();
      const goneUrl = gone.url;
      await gone.close();
      const noQuay = makeApp({ quay_url: goneUrl });

      const res = await call(noQuay, 'GET', '/v2/health/ping');

      expect(res.status).toBe(503);
      const services = res.body.services as Record<string, { ok: boolean; details: string }>;
      expect(services.quay!.ok).toBe(false);
      expect(services.quay!.details.length).toBeGreaterThan(0);
    });
  });

  describe('request ids and secrets', () => {
    it("the caller's X-Request-Id reaches Quay, Koji and Greenwave, and the log lines", async () => {
      const zipId = 'trace-zip-4f2a.123';
      const res = await publishZip(`/v2/${ORG}/zipfile`, fixtureZip('marketplace_op_flat'), {
        ...AUTH,
        'X-Request-Id': zipId,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toBe(zipId);
      const quayCalls = quay.state.requests.filter((r) => r.operation === 'list' || r.operation === 'push');
      expect(quayCalls.map((r) => r.operation)).toEqual(['list', 'push']);
      for (const r of quayCalls) expect(r.headers['x-request-id']).toBe(zipId);

      const nvr = 'marketplace-operator-metadata-1.0-7';
      koji.state.addOperatorBuild(nvr, fixtureZip('marketplace_op_flat'));
      const kojiId = 'trace-koji-77';
      const fromKoji = await call(app, 'POST', `/v2/${ORG}/koji/${nvr}/5.0.0`, {
        headers: { ...AUTH, 'X-Request-Id': kojiId },
      });
      expect(fromKoji.status).toBe(200);
      expect(koji.state.callsOf('getBuild').at(-1)!.headers['x-request-id']).toBe(kojiId);
      expect(koji.state.downloads.at(-1)!.headers['x-request-id']).toBe(kojiId);
      expect(greenwave.state.decisionRequests().at(-1)!.headers['x-request-id']).toBe(kojiId);
      expect(quay.state.requestsFor('push').at(-1)!.headers['x-request-id']).toBe(kojiId);

      const requestLine = logLines
        .map((line) => JSON.parse(line) as Json)
        .find((line) => line.message === 'request' && line.request_id === kojiId);
      expect(requestLine).toMatchObject({ method: 'POST', status: 200 });
    });

    it('the Authorization token never appears in any captured log line', async () => {
      // Successes and failures of every kind, so that many code paths log.
      quay.state.seed(ORG, 'marketplace', ['1.0.0']);
      await publishZip(`/v2/${ORG}/zipfile`, fixtureZip('marketplace_op_flat'));
      await publishZip(`/v2/${ORG}/zipfile/1.0.0`, fixtureZip('marketplace_op_flat'));
      await publishZip(`/v2/${PUBLIC_ORG}/zipfile`, fixtureZip('marketplace_op_flat'));
      await publishZip(`/v2/${ORG}/zipfile`, fixtureZip('marketplace_op_flat'), { Authorization: BAD_TOKEN });
      quay.state.fail('push', { status: 500, times: 1 });
      await publishZip(`/v2/${ORG}/zipfile/7.0.0`, fixtureZip('marketplace_op_flat'));
      quay.state.fail('visibility', { status: 500 });
      await publishZip(`/v2/${PUBLIC_ORG}/zipfile`, fixtureZip('marketplace_op_flat'));
      await call(app, 'DELETE', `/v2/${ORG}/marketplace`, { headers: AUTH });
      await call(app, 'DELETE', `/v2/${ORG}/nothing/1.0.0`, { headers: AUTH });
      await call(app, 'POST', `/v2/${ORG}/koji/no-such-1.0-1`, { headers: AUTH });
      await call(app, 'GET', '/v2/health/ping');

      expect(logLines.length).toBeGreaterThan(5);
      // Every line of every test in this file that ran so far (this one is last in file order).
      expect(allLogLines.length).toBeGreaterThanOrEqual(logLines.length);
      for (const line of allLogLines) {
        expect(line).not.toContain(TOKEN_FRAGMENT);
        expect(line).not.toContain(BAD_TOKEN);
        expect(line).not.toContain(OAUTH);
      }
    });
  });
});

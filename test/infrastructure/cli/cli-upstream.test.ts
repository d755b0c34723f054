/**
 * The `omps` command line talking HTTP, as a process: `push` against the Quay
 * emulator (the service's Quay adapter underneath), `publish` against the
 * service itself, served on 127.0.0.1 from this test (in-memory upstreams).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type QuayEmulator, startQuayEmulator, unpackBlob } from '../../emulators/quay-emulator.js';
import { EmulatorServer } from '../../emulators/serve.js';
import { buildCli, omps, writeFiles } from '../../support/cli.js';
import { makeHttpApp } from '../../support/http-app.js';
import { aCsv, flatBundle, PACKAGE_NAME, without } from '../../support/manifest-builders.js';

const TOKEN = 'basic dGVzdDp0ZXN0';
const INVALID = 'Resulting bundle is invalid, input yaml is improperly defined.';

let dir: string;
let valid: string;
let invalid: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'omps-cli-http-'));
  valid = writeFiles(join(dir, 'valid'), flatBundle());
  invalid = writeFiles(join(dir, 'invalid'), flatBundle({ csv: without(aCsv(), 'spec.installModes') }));
  await buildCli();
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('omps push (Quay app registry, directly)', { timeout: 60_000 }, () => {
  let quay: QuayEmulator;

  beforeEach(async () => {
    quay = await startQuayEmulator({ tokens: [TOKEN] });
    return () => quay.close();
  });

  it('builds, verifies and pushes the bundle as the service does', async () => {
    const output = join(dir, 'push-validation.json');
    const run = await omps([
      'push',
      valid,
      'acme',
      PACKAGE_NAME,
      '1.2.3',
      TOKEN,
      '--quay-url',
      quay.url,
      '--validation-output',
      output,
    ]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe(`Pushed acme/${PACKAGE_NAME} release 1.2.3 to ${quay.url}\n`);
    expect(readFileSync(output, 'utf8')).toBe('{"warnings": [], "errors": []}\n');

    const [push] = quay.state.pushes;
    expect(push).toMatchObject({ organization: 'acme', repository: PACKAGE_NAME, release: '1.2.3' });
    expect(push?.headers.authorization).toBe(TOKEN);
    const blob = await unpackBlob(push!.blob);
    expect(blob.files.map((f) => f.path)).toEqual(['bundle.yaml']);
  });

  it('pushes nothing when the bundle is invalid', async () => {
    const run = await omps(['push', invalid, 'acme', PACKAGE_NAME, '1.0.0', TOKEN, '--quay-url', quay.url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`ERROR: csv spec.installModes not defined\n${INVALID}\n`);
    expect(quay.state.requests).toEqual([]);
  });

  it('requires REPOSITORY to be the packageName, in courier words', async () => {
    const run = await omps(['push', valid, 'acme', 'other', '1.0.0', TOKEN, '--quay-url', quay.url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `ERROR: The packageName (${PACKAGE_NAME}) in bundle does not match repository name (other) provided as command line argument.\n`,
    );
    expect(quay.state.pushes).toEqual([]);
  });

  it("reports Quay's refusals with the service's error ids", async () => {
    quay.state.seed('acme', PACKAGE_NAME, ['1.0.0']);
    const exists = await omps(['push', valid, 'acme', PACKAGE_NAME, '1.0.0', TOKEN, '--quay-url', quay.url]);
    expect(exists.code).toBe(1);
    expect(exists.stderr).toMatch(
      /^QuayCourierError: Failed to push manifest: package exists already \(release 1\.0\.0 of acme\/widget already exists in Quay/,
    );
    expect(exists.stderr).toContain('quay_response: {"error":{"code":"package-exists"');

    const denied = await omps([
      'push',
      valid,
      'acme',
      PACKAGE_NAME,
      '2.0.0',
      'wrong',
      '--quay-url',
      quay.url,
    ]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(
      /^QuayAuthorizationError: Failed to push manifest: Unauthorized access for: acme\/widget \(Quay refused to push release 2\.0\.0 of acme\/widget: 403\)/,
    );
    expect(denied.stderr).not.toContain('wrong');
  });

  it('answers 2 for missing arguments or a bad --quay-url, before any call', async () => {
    const missing = await omps(['push', valid, 'acme', PACKAGE_NAME, '1.0.0']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing TOKEN');
    const badUrl = await omps(['push', valid, 'acme', PACKAGE_NAME, '1.0.0', TOKEN, '--quay-url', 'quay.io']);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain('--quay-url quay.io');
    expect(quay.state.requests).toEqual([]);
  });
});

describe('omps publish (a client of the service)', { timeout: 60_000 }, () => {
  let service: ReturnType<typeof makeHttpApp>;
  let url: string;

  beforeEach(async () => {
    service = makeHttpApp({ greenwave: null });
    const server = new EmulatorServer();
    url = `http://127.0.0.1:${await server.listen(service.app.fetch)}`;
    return () => server.close();
  });

  /** `token` null: no OMPS_TOKEN at all. */
  const publish = (args: string[], token: string | null = 'secret-token') =>
    omps(['publish', ...args, '--service', url], { OMPS_TOKEN: token ?? undefined });

  it('zips a folder and publishes it on v2, printing the answer', async () => {
    const run = await publish([valid, '--org', 'acme']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      organization: 'acme',
      repo: PACKAGE_NAME,
      version: '1.0.0',
      extracted_files: ['crd.yaml', 'csv.yaml', 'package.yaml'],
    });
    expect(service.registry.release('acme', PACKAGE_NAME, '1.0.0')).toBeDefined();
  });

  it('sends a zip as it is, on v1 with --repository and an explicit --version', async () => {
    const zip = join(dir, 'bundle.zip');
    writeFileSync(zip, zipSync(Object.fromEntries(flatBundle().map((f) => [`op/${f.path}`, f.data]))));
    const run = await publish([zip, '--org', 'acme', '--repository', PACKAGE_NAME, '--version', '4.5.6']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ repo: PACKAGE_NAME, version: '4.5.6' });
    expect(JSON.parse(run.stdout).extracted_files).toEqual(['op/crd.yaml', 'op/csv.yaml', 'op/package.yaml']);
  });

  it('shows what would be pushed with --dry-run, pushing nothing', async () => {
    const run = await publish([valid, '--org', 'acme', '--dry-run']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ dry_run: true, files_to_push: ['bundle.yaml'] });
    expect(service.registry.release('acme', PACKAGE_NAME, '1.0.0')).toBeUndefined();
  });

  it("prints the service's error id, message and validation findings, and exits 1", async () => {
    const run = await publish([invalid, '--org', 'acme']);
    expect(run.code).toBe(1);
    const [first, ...rest] = run.stderr.trimEnd().split('\n');
    expect(first).toMatch(/^PackageValidationError: /);
    expect(rest).toEqual(['ERROR: csv spec.installModes not defined']);

    const mismatch = await publish([valid, '--org', 'acme', '--repository', 'other']);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain(
      'The packageName (widget) in bundle does not match repository name (other)',
    );

    const badVersion = await publish([valid, '--org', 'acme', '--version', '1.0']);
    expect(badVersion.code).toBe(1);
    expect(badVersion.stderr).toMatch(/^OMPSInvalidVersionFormat: /);

    const refused = await publish([valid, '--org', 'acme'], 'bad-token');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^QuayAuthorizationError: /);
  });

  it("reports the service's refusal of an upload larger than its limit", async () => {
    const big = join(dir, 'big.zip');
    const noise = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 2654435761) >>> 24);
    writeFileSync(big, zipSync({ 'noise.bin': noise }, { level: 0 }));
    const run = await publish([big, '--org', 'acme']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^RequestEntityTooLarge: /);
  });

  it('publishes a Koji build with --koji', async () => {
    const run = await publish(['--koji', 'widget-1.0-1', '--org', 'acme']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^KojiNVRBuildNotFound: .*widget-1\.0-1/);
  });

  it('answers 2 without a token, with bad arguments, or when the service cannot be reached', async () => {
    const noToken = await publish([valid, '--org', 'acme'], null);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('OMPS_TOKEN');

    const both = await publish([valid, '--koji', 'x-1-1', '--org', 'acme']);
    expect(both.code).toBe(2);

    const noOrg = await publish([valid]);
    expect(noOrg.code).toBe(2);
    expect(noOrg.stderr).toContain('--org is required');

    const closed = new EmulatorServer();
    const port = await closed.listen(() => new Response(''));
    await closed.close();
    const unreachable = await omps([
      'publish',
      valid,
      '--org',
      'acme',
      '--service',
      `http://127.0.0.1:${port}`,
      '--token',
      't',
    ]);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(
      /^omps publish: cannot reach the service at http:\/\/127\.0\.0\.1:\d+: /,
    );
  });
});

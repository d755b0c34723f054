import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { createService } from '../../src/infrastructure/container.js';
import {
  embeddedConfig,
  embeddedUpstreams,
  sampleOperatorZip,
} from '../../src/infrastructure/demo/embedded.js';
import { SAMPLE_NVR, SAMPLE_OPERATOR_FILES } from '../../src/infrastructure/demo/sample-operator.js';
import { SERVICE_VERSION } from '../../src/infrastructure/version.js';
import { multipart, text } from '../support/bundles.js';

const repoRoot = resolve(import.meta.dirname, '..', '..');

describe('the embedded demo', () => {
  const demo = () => {
    const upstreams = embeddedUpstreams();
    const app = createService(embeddedConfig(), {
      ...upstreams,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    return { app, ...upstreams };
  };
  const auth = { Authorization: 'any-token' };

  it('examples/sample-operator.zip holds the embedded sample operator', () => {
    const files = unzipSync(new Uint8Array(readFileSync(resolve(repoRoot, 'examples/sample-operator.zip'))));
    expect(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, text(v)]))).toEqual(
      SAMPLE_OPERATOR_FILES,
    );
    expect(
      Buffer.from(sampleOperatorZip()).equals(
        readFileSync(resolve(repoRoot, 'examples/sample-operator.zip')),
      ),
    ).toBe(true);
  });

  it('answers the README examples: zip v2 and v1, Koji, delete, health, about', async () => {
    const { app, registry } = demo();
    const zip = () => multipart(sampleOperatorZip(), 'sample-operator.zip');
    const v2 = await app.request('/v2/myorg/zipfile', { method: 'POST', body: zip(), headers: auth });
    expect(await v2.json()).toMatchObject({ repo: 'hello-operator', version: '1.0.0' });
    const explicit = await app.request('/v2/myorg/zipfile/1.1.5', {
      method: 'POST',
      body: zip(),
      headers: auth,
    });
    expect(explicit.status).toBe(200);
    const v1 = await app.request('/v1/myorg/hello-operator/zipfile', {
      method: 'POST',
      body: zip(),
      headers: auth,
    });
    expect(await v1.json()).toMatchObject({ version: '2.0.0' });
    const koji = await app.request(`/v2/myorg/koji/${SAMPLE_NVR}`, { method: 'POST', headers: auth });
    expect(await koji.json()).toMatchObject({ repo: 'hello-operator', version: '3.0.0', nvr: SAMPLE_NVR });
    const policies = await app.request('/v2/demo-public/zipfile', {
      method: 'POST',
      body: zip(),
      headers: auth,
    });
    expect(await policies.json()).toMatchObject({ repo: 'hello-operator-demo' });
    expect(registry.visibility('demo-public', 'hello-operator-demo')).toBe('public');
    const pushed = text(registry.release('demo-public', 'hello-operator-demo', '1.0.0')!.bundle[0]!.data);
    expect(pushed).toContain('registry.example.com/mirror/hello-operator');
    expect(pushed).toContain('omps.example.com/package');
    const one = await app.request('/v2/myorg/hello-operator/1.1.5', { method: 'DELETE', headers: auth });
    expect(await one.json()).toEqual({ organization: 'myorg', repo: 'hello-operator', deleted: ['1.1.5'] });
    const all = await app.request('/v2/myorg/hello-operator', { method: 'DELETE', headers: auth });
    expect(((await all.json()) as { deleted: string[] }).deleted.sort()).toEqual(['1.0.0', '2.0.0', '3.0.0']);
    expect((await app.request('/v2/health/ping')).status).toBe(200);
    expect(await (await app.request('/v2/about')).json()).toMatchObject({ version: SERVICE_VERSION });
  });

  it('the service version is package.json’s', () => {
    const pkg = JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(SERVICE_VERSION).toBe(pkg.version);
  });
});

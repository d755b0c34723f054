import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
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

  it("answers the README's catalog examples (Catalogs), exactly as the comments under each curl show", async () => {
    const { app } = demo();
    const steps = readmeCatalogExamples();
    expect(steps.map((s) => `${s.method} ${s.path}`)).toEqual([
      'POST /v2/demo-catalog/zipfile',
      'POST /v2/demo-catalog/zipfile?dry_run=true',
      'GET /v2/demo-catalog/catalog',
      'GET /v2/demo-catalog/catalog/hello-operator',
      'DELETE /v2/demo-catalog/hello-operator/1.0.0',
      'GET /v2/demo-catalog/catalog',
      'GET /v2/demo-images/catalog',
    ]);
    const bodies: string[] = [];
    for (const step of steps) {
      const file = step.file && readFileSync(resolve(repoRoot, step.file));
      const res = await app.request(step.path, {
        method: step.method,
        headers: step.headers,
        ...(file ? { body: multipart(new Uint8Array(file), basename(step.file!)) } : {}),
      });
      const body = await res.text();
      const lines = body.replace(/\n$/, '').split('\n');
      expect(lines.length, `${step.method} ${step.path}: ${body}`).toBe(step.expected.length);
      for (const [i, line] of lines.entries()) {
        expect(line, `${step.method} ${step.path}`).toMatch(step.expected[i]!);
      }
      bodies.push(body);
    }
    // What the wildcards hide ties together: the catalog points at the published image by digest.
    const [published, , summary, blobs, deleted, after] = bodies.map((b, i) => (i === 3 ? b : JSON.parse(b)));
    const image = published.images[0];
    expect(summary.digest).toBe(published.catalog.digest);
    expect(blobs).toContain(
      `"image":"registry.demo.example/demo-catalog/hello-operator-bundle@${image.digest}"`,
    );
    expect(deleted.catalog.digest).not.toBe(published.catalog.digest);
    expect(after.digest).toBe(deleted.catalog.digest);
    // "... and refuses reads without one".
    const anonymous = await app.request('/v2/demo-catalog/catalog');
    expect(anonymous.status).toBe(403);
    expect(await anonymous.json()).toMatchObject({ error: 'RegistryAuthorizationError' });
  });

  it('the service version is package.json’s', () => {
    const pkg = JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(SERVICE_VERSION).toBe(pkg.version);
  });
});

interface ReadmeStep {
  method: string;
  path: string;
  headers: Record<string, string>;
  file?: string;
  /** One pattern per line of the answer, from the `# ` comment lines under the curl (`...`: anything). */
  expected: RegExp[];
}

/**
 * The curl commands of the README's Catalogs demo block, with the answers
 * documented under each: a comment line starting `# {` is one line of the
 * answer, a line starting `#  ` continues it.
 */
function readmeCatalogExamples(): ReadmeStep[] {
  const readme = readFileSync(resolve(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Catalogs (File-Based Catalog images)'));
  const block = /With the demo \(`npm run demo`[\s\S]*?```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README: no demo block in the Catalogs section');
  const env: Record<string, string> = {};
  const steps: ReadmeStep[] = [];
  let answer: string[] = [];
  const finish = () => {
    const step = steps.at(-1);
    if (step && answer.length > 0) step.expected = answer.map(pattern);
    answer = [];
  };
  for (const line of block.split('\n')) {
    const auth = /^(\w+)="Authorization: Basic \$\(printf (\S+) \| base64\)"$/.exec(line);
    if (auth) {
      env[auth[1]!] = `Authorization: Basic ${Buffer.from(auth[2]!).toString('base64')}`;
    } else if (line.startsWith('curl ')) {
      finish();
      steps.push(curlStep(line, env));
    } else if (line.startsWith('# {')) {
      answer.push(line.slice(2));
    } else if (line.startsWith('#  ') && answer.length > 0) {
      answer[answer.length - 1] += line.slice(3);
    } else {
      finish();
    }
  }
  finish();
  for (const step of steps) expect(step.expected.length, `${step.method} ${step.path}`).toBeGreaterThan(0);
  return steps;
}

function curlStep(line: string, env: Record<string, string>): ReadmeStep {
  const words = [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) =>
    (m[1] ?? m[2]!).replace(/\$(\w+)/g, (_, name: string) =>
      name === 'BASE' ? '' : (env[name] ?? `$${name}`),
    ),
  );
  const step: ReadmeStep = { method: 'GET', path: '', headers: {}, expected: [] };
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!;
    if (word === '-H') {
      const [name, ...value] = words[++i]!.split(':');
      step.headers[name!] = value.join(':').trim();
    } else if (word === '-X') step.method = words[++i]!;
    else if (word === '-F') {
      step.file = words[++i]!.replace(/^file=@/, '');
      step.method = 'POST';
    } else if (word.startsWith('/')) step.path = word;
    else throw new Error(`README: curl option ${word} is not understood: ${line}`);
  }
  return step;
}

/** A documented answer as a pattern: `sha256:...` a digest, any other `...` anything. */
function pattern(documented: string): RegExp {
  const parts = documented.split(/(sha256:\.\.\.|\.\.\.)/);
  const source = parts
    .map((part) =>
      part === 'sha256:...'
        ? 'sha256:[0-9a-f]{64}'
        : part === '...'
          ? '.*?'
          : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`);
}

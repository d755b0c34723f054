/**
 * Catalogs (SPEC §11) through the real app (every real adapter) and the OCI
 * registry emulator with Bearer auth: what the caller sees, and what the
 * catalog image in the registry holds afterwards — read back from its layer
 * and checked with our own FBC loader and validator, as `opm validate` would.
 * The real registry and skopeo are `npm run test:registry`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fflateGzip } from '../../src/adapters/fflate/fflate-gzip.js';
import { silentLogger } from '../../src/application/ports.js';
import { buildOciImage } from '../../src/domain/bundle-image/oci-image.js';
import { loadConfig } from '../../src/domain/catalog/declcfg-load.js';
import { validateConfig } from '../../src/domain/catalog/validate.js';
import { webGzipCodec } from '../../src/domain/catalog-image/gzip-codec.js';
import { readTar } from '../../src/domain/catalog-image/tar-read.js';
import type { FileEntry } from '../../src/domain/files.js';
import { parseConfig } from '../../src/infrastructure/config.js';
import { createService } from '../../src/infrastructure/container.js';
import { type OciRegistryEmulator, startOciRegistryEmulator } from '../emulators/oci-registry-emulator.js';
import { baseImage } from '../support/base-images.js';
import { multipart, zipOf } from '../support/bundles.js';
import { nestedOperator } from '../support/operator-versions.js';

const BASIC = `Basic ${btoa('alice:s3cret')}`;
const CATALOG = 'acme/catalog';

/** The nested widget operator renamed to `pkg` (package name and CSV names). */
function operator(pkg: string, versions: readonly string[]): Record<string, Uint8Array> {
  const files = nestedOperator(versions);
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  return Object.fromEntries(
    files.map((f) => [
      f.path,
      encoder.encode(
        decoder
          .decode(f.data)
          .replaceAll('widget-operator.v', `${pkg}.v`)
          .replace(/^packageName: widget$/m, `packageName: ${pkg}`),
      ),
    ]),
  );
}

/** An answer's JSON, read loosely: the tests assert its fields one by one. */
// biome-ignore lint/suspicious/noExplicitAny: a test reads whatever shape the answer has.
type Answer = Record<string, any>;

describe('catalogs through the real app and the OCI registry emulator', () => {
  let emulator: OciRegistryEmulator;

  beforeEach(async () => {
    emulator = await startOciRegistryEmulator({ kind: 'bearer', user: 'alice', password: 's3cret' });
  });

  afterEach(async () => {
    await emulator.close();
  });

  const appFor = (catalog: Record<string, unknown> = {}) =>
    createService(
      parseConfig({
        request_timeout: 10,
        organizations: { acme: { bundle_images: { registry: emulator.url }, catalog } },
      }),
      { logger: silentLogger },
    );

  const publish = async (app: ReturnType<typeof appFor>, files: Record<string, Uint8Array>, query = '') => {
    const res = await app.request(`/v2/acme/zipfile${query}`, {
      method: 'POST',
      headers: { Authorization: BASIC },
      body: multipart(zipOf(files)),
    });
    return { status: res.status, body: (await res.json()) as Answer };
  };

  const remove = async (app: ReturnType<typeof appFor>, path: string) => {
    const res = await app.request(`/v2/acme/${path}`, {
      method: 'DELETE',
      headers: { Authorization: BASIC },
    });
    return { status: res.status, body: (await res.json()) as Answer };
  };

  /** The files of the catalog image's last layer, as the registry holds it now. */
  const catalogFiles = async (): Promise<FileEntry[]> => {
    const manifest = JSON.parse(new TextDecoder().decode(emulator.state.manifestOf(CATALOG, 'latest')!.data));
    const layer = emulator.state.blobs.get(manifest.layers.at(-1).digest)!;
    const tar = (await webGzipCodec.gunzip(layer, 64 * 1024 * 1024))!;
    return readTar(tar, { maxEntries: 1000 });
  };
  const catalogText = async (path: string) =>
    new TextDecoder().decode((await catalogFiles()).find((f) => f.path === path)?.data);
  const validity = async () => {
    const configs = (await catalogFiles())
      .filter((f) => f.path.startsWith('configs/'))
      .map((f) => ({ path: f.path.slice('configs/'.length), data: f.data }));
    return validateConfig(loadConfig(configs));
  };
  const writesTo = (repository: string) =>
    emulator.state.requests.filter(
      (r) => r.method !== 'GET' && r.method !== 'HEAD' && r.path.startsWith(`/v2/${repository}/`),
    ).length;

  it('publishes bundle images and a valid catalog that points at them by digest; an identical publish rewrites nothing', async () => {
    const app = appFor();
    const first = await publish(app, operator('widget', ['1.0.0', '1.1.0']));
    expect(first.status).toBe(200);
    expect(first.body.catalog).toEqual({
      image: `${new URL(emulator.url).host}/${CATALOG}:latest`,
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      changed: true,
    });
    expect(emulator.state.tagsOf(CATALOG)).toEqual(['latest']);
    expect(await validity()).toEqual([]);

    const json = await catalogText('configs/widget/catalog.json');
    const blobs = json
      .split(/\n(?=\{)/)
      .filter((b) => b.trim())
      .map((b) => JSON.parse(b));
    expect(blobs.map((b) => `${b.schema} ${b.name}`)).toEqual([
      'olm.package widget',
      'olm.channel stable',
      'olm.bundle widget.v1.0.0',
      'olm.bundle widget.v1.1.0',
    ]);
    const images = first.body.images as { version: string; digest: string }[];
    const bundle = blobs.find((b) => b.name === 'widget.v1.1.0');
    expect(bundle.image).toBe(
      `${new URL(emulator.url).host}/acme/widget-bundle@${images.find((i) => i.version === '1.1.0')!.digest}`,
    );
    expect(bundle.properties.map((p: { type: string }) => p.type)).toContain('olm.csv.metadata');
    expect(bundle.properties.map((p: { type: string }) => p.type)).not.toContain('olm.bundle.object');
    const config = JSON.parse(
      new TextDecoder().decode(
        emulator.state.blobs.get(
          JSON.parse(new TextDecoder().decode(emulator.state.manifestOf(CATALOG, 'latest')!.data)).config
            .digest,
        ),
      ),
    );
    expect(config.config.Labels).toEqual({ 'operators.operatorframework.io.index.configs.v1': '/configs' });

    const writes = writesTo(CATALOG);
    const again = await publish(app, operator('widget', ['1.0.0', '1.1.0']));
    expect(again.status).toBe(200);
    expect(again.body.catalog).toEqual({ ...first.body.catalog, changed: false });
    expect(writesTo(CATALOG)).toBe(writes);
  });

  it("adds a second package without touching the first one's bytes, and answers GET catalog and GET catalog/<package>", async () => {
    const app = appFor();
    await publish(app, operator('widget', ['1.0.0', '1.1.0']));
    const widgetBefore = await catalogText('configs/widget/catalog.json');
    const second = await publish(app, operator('gadget', ['0.1.0']));
    expect(second.status).toBe(200);
    expect(await catalogText('configs/widget/catalog.json')).toBe(widgetBefore);
    expect(await validity()).toEqual([]);

    const summary = await app.request('/v2/acme/catalog', { headers: { Authorization: BASIC } });
    expect(summary.status).toBe(200);
    expect(await summary.json()).toEqual({
      image: `${new URL(emulator.url).host}/${CATALOG}:latest`,
      digest: second.body.catalog.digest,
      packages: ['gadget', 'widget'],
    });
    const lines = await app.request('/v2/acme/catalog/gadget', { headers: { Authorization: BASIC } });
    expect(lines.status).toBe(200);
    expect(lines.headers.get('content-type')).toMatch(/^application\/jsonl/);
    const blobs = (await lines.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(blobs.map((b) => b.schema)).toEqual(['olm.package', 'olm.channel', 'olm.bundle']);
    const missing = await app.request('/v2/acme/catalog/nothing', { headers: { Authorization: BASIC } });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toBe('NotFound');
  });

  it('refuses a publish that would give a channel two heads: 400 CatalogValidationError, nothing pushed', async () => {
    const app = appFor();
    await publish(app, operator('widget', ['1.0.0', '1.1.0']));
    const catalogBefore = emulator.state.tagsOf(CATALOG).map((t) => emulator.state.manifestOf(CATALOG, t));
    // 3.0.0 replaces nothing, but is in the same channel as the 1.0.0 ← 1.1.0 chain.
    const refused = await publish(app, operator('widget', ['3.0.0']));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('CatalogValidationError');
    expect(refused.body.message).toMatch(/multiple channel heads/);
    expect(refused.body.validation_info.errors.join('\n')).toMatch(
      /widget\.v1\.1\.0.*widget\.v3\.0\.0|widget\.v3\.0\.0.*widget\.v1\.1\.0/,
    );
    expect(emulator.state.tagsOf('acme/widget-bundle')).toEqual(['1.0.0', '1.1.0']);
    expect(emulator.state.tagsOf(CATALOG).map((t) => emulator.state.manifestOf(CATALOG, t))).toEqual(
      catalogBefore,
    );
  });

  it('a dry run renders and validates, says whether the catalog would change, and pushes nothing', async () => {
    const app = appFor();
    const dry = await publish(app, operator('widget', ['1.0.0']), '?dry_run=true');
    expect(dry.status).toBe(200);
    expect(dry.body.catalog).toEqual({
      image: `${new URL(emulator.url).host}/${CATALOG}:latest`,
      digest: null,
      changed: true,
      files: ['widget/catalog.json'],
    });
    expect(emulator.state.tagsOf(CATALOG)).toEqual([]);
    expect(emulator.state.tagsOf('acme/widget-bundle')).toEqual([]);
  });

  it('deletes: the middle of a replaces chain is refused (nothing deleted); the head is removed; delete-all takes the package out', async () => {
    const app = appFor();
    await publish(app, operator('widget', ['1.0.0', '1.1.0', '2.0.0']));
    await publish(app, operator('gadget', ['0.1.0']));

    const middle = await remove(app, 'widget/1.1.0');
    expect(middle.status).toBe(400);
    expect(middle.body.error).toBe('CatalogValidationError');
    expect(emulator.state.tagsOf('acme/widget-bundle')).toEqual(['1.0.0', '1.1.0', '2.0.0']);

    const head = await remove(app, 'widget/2.0.0');
    expect(head.status).toBe(200);
    expect(head.body.deleted).toEqual(['2.0.0']);
    expect(head.body.catalog.changed).toBe(true);
    expect(await catalogText('configs/widget/catalog.json')).not.toContain('widget.v2.0.0');
    expect(await validity()).toEqual([]);

    const all = await remove(app, 'widget');
    expect(all.status).toBe(200);
    expect(emulator.state.tagsOf('acme/widget-bundle')).toEqual([]);
    const paths = (await catalogFiles()).map((f) => f.path);
    expect(paths.some((p) => p.startsWith('configs/widget/'))).toBe(false);
    expect(paths).toContain('configs/gadget/catalog.json');
  });

  it('leaves out a tag of the bundle repository that is not a bundle image, with a warning', async () => {
    const app = appFor();
    await publish(app, operator('widget', ['1.0.0']));
    // A foreign image under another tag of the same repository: no bundle annotations.
    const foreign = await buildOciImage(
      [{ path: 'hello.txt', data: new TextEncoder().encode('hello\n') }],
      {},
      fflateGzip,
    );
    emulator.state.seed(
      'acme/widget-bundle',
      [foreign.config, ...foreign.layers],
      [foreign.manifest],
      'not-a-bundle',
    );
    const next = await publish(app, operator('widget', ['1.0.0', '1.1.0']));
    expect(next.status).toBe(200);
    expect(next.body.validation_info.warnings.join('\n')).toMatch(/acme\/widget-bundle:not-a-bundle/);
    expect(await validity()).toEqual([]);
  });

  it('keeps every package when publishes of different packages race from two processes', async () => {
    // Two apps: two UpdateCatalogs with their own locks, as two processes (WORKERS=2) would have.
    const apps = [appFor(), appFor()];
    const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
    const answers = await Promise.all(
      names.map((name, i) => publish(apps[i % 2]!, operator(name, ['1.0.0']))),
    );
    expect(answers.map((a) => a.status)).toEqual(names.map(() => 200));
    const summary = await apps[0]!.request('/v2/acme/catalog', { headers: { Authorization: BASIC } });
    expect(((await summary.json()) as { packages: string[] }).packages).toEqual(names);
    expect(await validity()).toEqual([]);
  });

  it('appends the /configs layer to every platform of base_image (mounted from its repository, same registry)', async () => {
    const base = await baseImage('oci', 'index');
    emulator.state.seed('tools/opm', base.blobs, [...base.manifests, base.top], 'v1');
    const host = new URL(emulator.url).host;
    const app = appFor({ base_image: `${host}/tools/opm@${base.top.digest}` });
    const first = await publish(app, operator('widget', ['1.0.0']));
    expect(first.status).toBe(200);
    const index = JSON.parse(new TextDecoder().decode(emulator.state.manifestOf(CATALOG, 'latest')!.data));
    const platforms = index.manifests.map(
      (m: { platform: { architecture: string } }) => m.platform.architecture,
    );
    expect(platforms).toEqual(['amd64', 'arm64']);
    for (const entry of index.manifests) {
      const manifest = JSON.parse(
        new TextDecoder().decode(emulator.state.manifests.get(CATALOG)!.get(entry.digest)!.data),
      );
      const config = JSON.parse(new TextDecoder().decode(emulator.state.blobs.get(manifest.config.digest)));
      expect(config.config.Entrypoint).toEqual(['/bin/opm']);
      expect(config.config.Cmd).toEqual(['serve', '/configs']);
      expect(config.config.Labels['operators.operatorframework.io.index.configs.v1']).toBe('/configs');
      expect(manifest.layers.length).toBe(3);
    }
    expect(emulator.state.mounts().some((m) => m.from === 'tools/opm' && m.into === CATALOG)).toBe(true);
  });

  it('answers 400 naming catalog.base_image when the base image is missing, pushing nothing', async () => {
    const host = new URL(emulator.url).host;
    const app = appFor({ base_image: `${host}/tools/opm@sha256:${'0'.repeat(64)}` });
    const refused = await publish(app, operator('widget', ['1.0.0']));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('CatalogValidationError');
    expect(refused.body.message).toMatch(/catalog\.base_image/);
    expect(emulator.state.tagsOf('acme/widget-bundle')).toEqual([]);
    expect(emulator.state.tagsOf(CATALOG)).toEqual([]);
  });
});

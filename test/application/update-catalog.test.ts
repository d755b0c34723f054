/**
 * UpdateCatalog (SPEC §11) on the in-memory OCI store: planning (render,
 * assemble, validate before anything is written) and the read-modify-write of
 * the catalog tag when other writers move it — made to happen at the worst
 * moments by a session that lets "another process" write in between.
 */
import { describe, expect, it } from 'vitest';
import { InMemoryImageRegistry } from '../../src/adapters/memory/in-memory-image-registry.js';
import type { CatalogRegistry, CatalogSession, StoredBundle } from '../../src/application/ports.js';
import { silentLogger } from '../../src/application/ports.js';
import { type CatalogTarget, UpdateCatalog } from '../../src/application/update-catalog.js';
import { packagesIn, replacePackage } from '../../src/domain/catalog/catalog-folder.js';
import { CatalogValidationError, RegistryError } from '../../src/domain/errors.js';
import type { FileEntry } from '../../src/domain/files.js';
import { caught } from '../support/failure.js';

const REGISTRY = 'https://registry.test';
const TOKEN = 'Basic dGVzdDp0ZXN0';
const text = (s: string) => new TextEncoder().encode(s);

/** A registry+v1 bundle's layer files: one CSV (replacing `replaces`) in channel stable. */
function bundle(pkg: string, version: string, replaces?: string): StoredBundle {
  const csv = [
    'apiVersion: operators.coreos.com/v1alpha1',
    'kind: ClusterServiceVersion',
    'metadata:',
    `  name: ${pkg}.v${version}`,
    'spec:',
    `  version: ${version}`,
    ...(replaces ? [`  replaces: ${pkg}.v${replaces}`] : []),
    '  displayName: Test',
    '',
  ].join('\n');
  const annotations = [
    'annotations:',
    '  operators.operatorframework.io.bundle.mediatype.v1: registry+v1',
    '  operators.operatorframework.io.bundle.manifests.v1: manifests/',
    '  operators.operatorframework.io.bundle.metadata.v1: metadata/',
    `  operators.operatorframework.io.bundle.package.v1: ${pkg}`,
    '  operators.operatorframework.io.bundle.channels.v1: stable',
    '  operators.operatorframework.io.bundle.channel.default.v1: stable',
    '',
  ].join('\n');
  const digest = `sha256:${[...`${pkg}${version}`]
    .map((c) => c.charCodeAt(0).toString(16))
    .join('')
    .padEnd(64, '0')
    .slice(0, 64)}`;
  return {
    tag: version,
    digest,
    files: [
      { path: `manifests/${pkg}.clusterserviceversion.yaml`, data: text(csv) },
      { path: 'metadata/annotations.yaml', data: text(annotations) },
    ],
  };
}

const target = (packageName: string): CatalogTarget => ({
  organization: 'acme',
  bundleImages: { registry: REGISTRY, repository: '{organization}/{package_name}-bundle' },
  catalog: { repository: '{organization}/catalog', tag: 'latest', channels: 'replaces' },
  packageName,
  token: TOKEN,
});

/** A catalog registry whose sessions run `hook` around pushCatalog, as another process might. */
function interleaved(
  inner: CatalogRegistry,
  hook: { before?: () => Promise<void>; after?: () => Promise<void> },
): CatalogRegistry & { pushes: number } {
  const wrapper = {
    pushes: 0,
    session(registry: string, token: string): CatalogSession {
      const s = inner.session(registry, token);
      return {
        bundles: (r) => s.bundles(r),
        catalogDigest: (r, t) => s.catalogDigest(r, t),
        readCatalog: (r, t) => s.readCatalog(r, t),
        resolveBase: (ref) => s.resolveBase(ref),
        pushCatalog: async (r, t, configs, base, expected) => {
          wrapper.pushes++;
          await hook.before?.();
          const digest = await s.pushCatalog(r, t, configs, base, expected);
          await hook.after?.();
          return digest;
        },
      };
    },
  };
  return wrapper;
}

/** A valid catalog of one package, as a stale writer (one that never saw ours) would push it. */
async function catalogOf(name: string): Promise<FileEntry[]> {
  const empty = new InMemoryImageRegistry().catalogRegistry();
  const plan = await new UpdateCatalog({ catalogRegistry: empty, logger: silentLogger }).plan(target(name), {
    added: [bundle(name, '1.0.0')],
  });
  return replacePackage([], name, plan.config);
}

async function packagesNow(registry: CatalogRegistry): Promise<string[]> {
  const read = await registry.session(REGISTRY, TOKEN).readCatalog('acme/catalog', 'latest');
  return read ? packagesIn(read.configs) : [];
}

describe('UpdateCatalog', () => {
  it('plans from the bundles about to be pushed, writes the catalog, and writes nothing when it is unchanged', async () => {
    const store = new InMemoryImageRegistry();
    const registry = interleaved(store.catalogRegistry(), {});
    const update = new UpdateCatalog({ catalogRegistry: registry, logger: silentLogger });
    const plan = await update.plan(target('widget'), { added: [bundle('widget', '1.0.0')] });
    expect(plan.changed).toBe(true);
    expect(plan.packages).toEqual(['widget']);
    const written = await update.apply(plan);
    expect(written).toEqual({
      image: 'registry.test/acme/catalog:latest',
      digest: expect.stringMatching(/^sha256:/),
      changed: true,
    });
    const again = await update.plan(target('widget'), { added: [bundle('widget', '1.0.0')] });
    expect(again.changed).toBe(false);
    expect(await update.apply(again)).toEqual({ ...written, changed: false });
    expect(registry.pushes).toBe(1);
  });

  it('refuses a plan whose catalog breaks the FBC rules, naming the rule', async () => {
    const store = new InMemoryImageRegistry();
    const update = new UpdateCatalog({ catalogRegistry: store.catalogRegistry(), logger: silentLogger });
    const error = await caught<CatalogValidationError>(
      update.plan(target('widget'), { added: [bundle('widget', '1.0.0'), bundle('widget', '2.0.0')] }),
    );
    expect(error).toBeInstanceOf(CatalogValidationError);
    expect(error.message).toMatch(
      /multiple channel heads found in graph: widget\.v1\.0\.0, widget\.v2\.0\.0/,
    );
    expect(error.validationInfo.errors.length).toBeGreaterThan(0);
  });

  it('puts its package into what is there when the tag moved after the plan read it', async () => {
    const store = new InMemoryImageRegistry();
    const other = new UpdateCatalog({ catalogRegistry: store.catalogRegistry(), logger: silentLogger });
    const update = new UpdateCatalog({ catalogRegistry: store.catalogRegistry(), logger: silentLogger });
    const plan = await update.plan(target('widget'), { added: [bundle('widget', '1.0.0')] });
    await other.apply(await other.plan(target('gadget'), { added: [bundle('gadget', '1.0.0')] }));
    await update.apply(plan);
    expect(await packagesNow(store.catalogRegistry())).toEqual(['gadget', 'widget']);
  });

  it('leaves the tag alone when it moves right before the write, and writes again on what is there', async () => {
    const store = new InMemoryImageRegistry();
    const other = new UpdateCatalog({ catalogRegistry: store.catalogRegistry(), logger: silentLogger });
    let once = true;
    const registry = interleaved(store.catalogRegistry(), {
      before: async () => {
        if (!once) return;
        once = false;
        await other.apply(await other.plan(target('gadget'), { added: [bundle('gadget', '1.0.0')] }));
      },
    });
    const update = new UpdateCatalog({ catalogRegistry: registry, logger: silentLogger });
    await update.apply(await update.plan(target('widget'), { added: [bundle('widget', '1.0.0')] }));
    expect(registry.pushes).toBe(2);
    expect(await packagesNow(store.catalogRegistry())).toEqual(['gadget', 'widget']);
  });

  it('writes again when another writer pushed over it from an older read', async () => {
    const store = new InMemoryImageRegistry();
    const session = store.catalogRegistry().session(REGISTRY, TOKEN);
    const gadgetOnly = await catalogOf('gadget');
    let once = true;
    const registry = interleaved(store.catalogRegistry(), {
      after: async () => {
        if (!once) return;
        once = false;
        // A writer that read the empty catalog before our push puts its own package over ours.
        await session.pushCatalog('acme/catalog', 'latest', gadgetOnly);
      },
    });
    const update = new UpdateCatalog({ catalogRegistry: registry, logger: silentLogger });
    await update.apply(await update.plan(target('widget'), { added: [bundle('widget', '1.0.0')] }));
    expect(registry.pushes).toBe(2);
    expect(await packagesNow(store.catalogRegistry())).toEqual(['gadget', 'widget']);
  });

  it('gives up with RegistryError after maxAttempts when the tag never stops moving', async () => {
    const store = new InMemoryImageRegistry();
    const session = store.catalogRegistry().session(REGISTRY, TOKEN);
    const others = await Promise.all(['p1', 'p2', 'p3', 'p4'].map((name) => catalogOf(name)));
    let n = 0;
    const registry = interleaved(store.catalogRegistry(), {
      // Every time, right before our write, another writer moves the tag.
      before: async () => {
        await session.pushCatalog('acme/catalog', 'latest', others[n++ % others.length]!);
      },
    });
    const update = new UpdateCatalog({ catalogRegistry: registry, logger: silentLogger, maxAttempts: 3 });
    const plan = await update.plan(target('widget'), { added: [bundle('widget', '1.0.0')] });
    const error = await caught<RegistryError>(update.apply(plan));
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.message).toMatch(
      /kept changing under concurrent updates; widget was not written after 3 attempts/,
    );
  });

  it('serializes the writes of one catalog inside the process', async () => {
    const store = new InMemoryImageRegistry();
    let inFlight = 0;
    let most = 0;
    const registry = interleaved(store.catalogRegistry(), {
      before: async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
      },
      after: async () => {
        inFlight--;
      },
    });
    const update = new UpdateCatalog({ catalogRegistry: registry, logger: silentLogger });
    const names = ['a1', 'b2', 'c3', 'd4'];
    const plans = await Promise.all(
      names.map((name) => update.plan(target(name), { added: [bundle(name, '1.0.0')] })),
    );
    await Promise.all(plans.map((plan) => update.apply(plan)));
    expect(most).toBe(1);
    expect(await packagesNow(store.catalogRegistry())).toEqual(names);
  });
});

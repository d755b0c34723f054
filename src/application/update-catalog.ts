/**
 * UpdateCatalog (SPEC §11): keeps an organization's File-Based Catalog image
 * current when its bundle images change. Two steps, so that nothing is pushed
 * before the catalog is known to be valid:
 *
 * - `plan` reads the package's bundle images back from the registry, applies
 *   the change about to happen (new images, deleted tags), renders and
 *   assembles the package, replaces its folder in the catalog and validates
 *   the whole catalog (CatalogValidationError: nothing has been pushed yet);
 * - `apply` writes it: a read-modify-write of one tag.
 *
 * The concurrency rule lives in `apply`. OCI registries have no conditional
 * tag update, so: updates of one catalog are serialized inside this process;
 * across processes the tag's digest is read right before the push (a change
 * since the plan's read means the catalog is read and the package's folder
 * replaced again) and re-read after it (another writer may have pushed a
 * catalog made from an older read, without this package as rendered: then
 * the update is redone on what is there now). The package's own folder is
 * the unit: other packages' files are carried over byte for byte.
 */

import { imageRepository } from '../domain/bundle-image/image-name.js';
import { assemblePackage } from '../domain/catalog/assemble.js';
import { packagesOf, replacePackage, sameFiles, samePackage } from '../domain/catalog/catalog-folder.js';
import { loadConfig } from '../domain/catalog/declcfg-load.js';
import type { DeclarativeConfig, RenderedBundle } from '../domain/catalog/fbc.js';
import { RenderError, renderBundle } from '../domain/catalog/render-bundle.js';
import { validateConfig } from '../domain/catalog/validate.js';
import { CatalogValidationError, RegistryError } from '../domain/errors.js';
import type { FileEntry } from '../domain/files.js';
import type { BundleImagesPolicy, CatalogPolicy } from '../domain/organization-policy.js';
import { KeyedLock } from './keyed-lock.js';
import type {
  CatalogBase,
  CatalogRegistry,
  CatalogSession,
  Logger,
  StoredBundle,
  StoredCatalog,
  Token,
} from './ports.js';

/** Which catalog, for which package, with whose credentials. */
export interface CatalogTarget {
  organization: string;
  bundleImages: BundleImagesPolicy;
  catalog: CatalogPolicy;
  /** packageName after the organization's suffix. */
  packageName: string;
  token: Token;
}

/** What is about to happen to the package's bundle images. */
export interface CatalogChange {
  /** Images about to be pushed (their tags, manifest digests and layer files). */
  added?: readonly StoredBundle[];
  /** Tags about to be deleted; `all`: every tag (the package leaves the catalog). */
  removed?: readonly string[] | 'all';
}

export interface CatalogPlan {
  readonly target: CatalogTarget;
  /** `<registry host>/<repository>:<tag>`. */
  readonly image: string;
  readonly repository: string;
  /** The package's blobs after the change; undefined when it leaves the catalog. */
  readonly config: DeclarativeConfig | undefined;
  /** The catalog as read for the plan; undefined when there was none. */
  readonly read: StoredCatalog | undefined;
  readonly base: CatalogBase | undefined;
  /** Whether the catalog changes at all. */
  readonly changed: boolean;
  /** Bundle images that could not be read or rendered, each with why. */
  readonly warnings: readonly string[];
  /** The packages of the catalog after the change. */
  readonly packages: readonly string[];
  /** The files of `/configs` the change writes or removes (paths relative to it). */
  readonly files: readonly string[];
}

export interface CatalogResult {
  image: string;
  /** What the tag points at after the update (null: no catalog yet, dry runs only). */
  digest: string | null;
  /** Whether the catalog was (dry runs: would be) rewritten. */
  changed: boolean;
  /** Dry runs: the files of `/configs` that would be written or removed. */
  files?: string[];
}

export interface UpdateCatalogDeps {
  catalogRegistry: CatalogRegistry;
  logger: Logger;
  /** Attempts at the read-modify-write when other writers keep changing the tag (8). */
  maxAttempts?: number;
  /** Counts and times the catalog updates (the metrics' port decorator). */
  observe?: (outcome: 'updated' | 'unchanged' | 'failed', seconds: number) => void;
}

/** Rendered bundles kept per image digest (content-addressed: a digest's rendering never changes). */
const RENDER_CACHE_SIZE = 4096;
const MIGRATE = { migrateLevel: 'bundle-object-to-csv-metadata' } as const;
/** The least time a writer waits after its push before it checks that the tag still holds its catalog. */
const SETTLE_MIN_MS = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class UpdateCatalog {
  private readonly lock = new KeyedLock();
  private readonly rendered = new Map<string, RenderedBundle>();

  constructor(private readonly deps: UpdateCatalogDeps) {}

  async plan(target: CatalogTarget, change: CatalogChange = {}): Promise<CatalogPlan> {
    const session = this.session(target);
    const { repository, image } = catalogLocation(target);
    const bundleRepository = imageRepository(
      target.bundleImages.repository,
      target.organization,
      target.packageName,
    );
    if (bundleRepository === repository) {
      const message = `Package ${target.packageName}'s bundle images would go into the catalog's own repository ${repository}: rename the package or the catalog repository.`;
      throw new CatalogValidationError(message, { errors: [message], warnings: [] });
    }
    const [bundles, read, base] = await Promise.all([
      this.bundlesAfter(session, target, change),
      session.readCatalog(repository, target.catalog.tag),
      target.catalog.baseImage ? session.resolveBase(target.catalog.baseImage) : undefined,
    ]);
    const config =
      bundles.rendered.length > 0
        ? assemblePackage(target.packageName, bundles.rendered, target.catalog.channels)
        : undefined;
    const configs = read?.configs ?? [];
    const next = replacePackage(configs, target.packageName, config);
    // Loaded once, for the rules and the package list: the costly part of a plan (3.8 MB, ~30 ms at
    // 100 packages × 10 bundles); loading it twice made the catalog step ~260 ms of CPU, now ~150 (npm run bench).
    const loaded = assertValid(next, image, bundles.warnings);
    return {
      target,
      image,
      repository,
      config,
      read,
      base,
      changed: read === undefined || !sameFiles(configs, next),
      warnings: bundles.warnings,
      packages: packagesOf(loaded),
      files: changedPaths(configs, next),
    };
  }

  /** Writes a plan (see the header for the concurrency rule); the catalog's reference and digest. */
  async apply(plan: CatalogPlan): Promise<CatalogResult> {
    const { target, repository, image } = plan;
    const started = performance.now();
    const key = `${target.bundleImages.registry}|${repository}:${target.catalog.tag}`;
    try {
      const result = await this.lock.run(key, () => this.write(plan));
      this.deps.observe?.(result.changed ? 'updated' : 'unchanged', (performance.now() - started) / 1000);
      this.deps.logger.info(result.changed ? 'catalog updated' : 'catalog unchanged', {
        organization: target.organization,
        package: target.packageName,
        image,
        digest: result.digest,
      });
      return result;
    } catch (error) {
      this.deps.observe?.('failed', (performance.now() - started) / 1000);
      throw error;
    }
  }

  /** What a dry run answers: the catalog as it is, and whether the change would rewrite it. */
  describe(plan: CatalogPlan): CatalogResult {
    return {
      image: plan.image,
      digest: plan.read?.digest ?? null,
      changed: plan.changed,
      files: [...plan.files],
    };
  }

  private async write(plan: CatalogPlan): Promise<CatalogResult> {
    const { target, repository, image } = plan;
    const { tag } = target.catalog;
    const session = this.session(target);
    const maxAttempts = this.deps.maxAttempts ?? 8;
    let read = plan.read;
    for (let attempt = 1; ; attempt++) {
      // Has anyone written the tag since it was read? Then the package's folder goes into what is there now.
      const started = performance.now();
      const current = await session.catalogDigest(repository, tag);
      const roundTripMs = performance.now() - started;
      if (current !== read?.digest) read = await session.readCatalog(repository, tag);
      const configs = read?.configs ?? [];
      const next = replacePackage(configs, target.packageName, plan.config);
      if (read && sameFiles(configs, next)) return { image, digest: read.digest, changed: false };
      if (read !== plan.read) assertValid(next, image, plan.warnings);

      // The adapter looks at the tag once more right before writing it, and leaves it if it moved.
      const pushed = await session.pushCatalog(repository, tag, next, plan.base, read?.digest ?? null);
      if (pushed !== undefined) {
        // Another writer that looked before this push may still put a catalog made from an older
        // read: wait out about one look-and-write of theirs, then check that ours holds.
        await sleep(Math.min(2000, Math.max(SETTLE_MIN_MS, 4 * roundTripMs)));
        const after = await session.catalogDigest(repository, tag);
        if (after === pushed) return { image, digest: pushed, changed: true };
      }
      read = await session.readCatalog(repository, tag);
      if (pushed !== undefined && read && samePackage(read.configs, target.packageName, plan.config)) {
        return { image, digest: read.digest, changed: true };
      }
      if (attempt >= maxAttempts) {
        throw new RegistryError(
          `The catalog ${image} kept changing under concurrent updates; ${target.packageName} was not written after ${attempt} attempts. Publish again.`,
        );
      }
      this.deps.logger.info('catalog changed by another writer; updating again', {
        organization: target.organization,
        package: target.packageName,
        image,
        attempt,
      });
      // A short random pause: two writers that keep colliding fall out of step.
      await sleep(Math.random() * 20 * attempt);
    }
  }

  /** The package's bundles once the change is made, rendered (new images as they will be pushed). */
  private async bundlesAfter(
    session: CatalogSession,
    target: CatalogTarget,
    change: CatalogChange,
  ): Promise<{ rendered: RenderedBundle[]; warnings: string[] }> {
    const repository = imageRepository(
      target.bundleImages.repository,
      target.organization,
      target.packageName,
    );
    const warnings: string[] = [];
    if (change.removed === 'all') return { rendered: [], warnings };
    const stored = (await session.bundles(repository)) ?? { bundles: [], skipped: [] };
    for (const s of stored.skipped) {
      warnings.push(`Bundle image ${repository}:${s.tag} is left out of the catalog: ${s.reason}`);
    }
    const removed = new Set(change.removed ?? []);
    const added = change.added ?? [];
    const replaced = new Set(added.map((b) => b.tag));
    const all = [...stored.bundles.filter((b) => !removed.has(b.tag) && !replaced.has(b.tag)), ...added];
    const host = new URL(target.bundleImages.registry).host;
    const rendered: RenderedBundle[] = [];
    for (const bundle of all) {
      try {
        rendered.push(this.render(bundle, `${host}/${repository}@${bundle.digest}`));
      } catch (error) {
        if (!(error instanceof RenderError)) throw error;
        // A bundle this publish adds must go into the catalog: refused before anything is pushed.
        if (replaced.has(bundle.tag)) {
          const message = `Bundle ${repository}:${bundle.tag} cannot be rendered into the catalog: ${error.message}`;
          throw new CatalogValidationError(message, { errors: [message], warnings });
        }
        warnings.push(
          `Bundle image ${repository}:${bundle.tag} is left out of the catalog: ${error.message}`,
        );
      }
    }
    return { rendered, warnings };
  }

  private render(bundle: StoredBundle, image: string): RenderedBundle {
    const cached = this.rendered.get(image);
    if (cached) return cached;
    const rendered = renderBundle(bundle.files, { image, ...MIGRATE });
    if (this.rendered.size >= RENDER_CACHE_SIZE) {
      this.rendered.delete(this.rendered.keys().next().value as string);
    }
    this.rendered.set(image, rendered);
    return rendered;
  }

  private session(target: CatalogTarget): CatalogSession {
    return this.deps.catalogRegistry.session(target.bundleImages.registry, target.token);
  }
}

/** An organization's catalog: its image repository, and the reference people pull (`host/repository:tag`). */
export function catalogLocation(target: Pick<CatalogTarget, 'organization' | 'bundleImages' | 'catalog'>): {
  repository: string;
  image: string;
} {
  const repository = imageRepository(target.catalog.repository, target.organization, '');
  const host = new URL(target.bundleImages.registry).host;
  return { repository, image: `${host}/${repository}:${target.catalog.tag}` };
}

/** Throws CatalogValidationError naming every broken rule of the whole catalog; else the catalog, loaded. */
function assertValid(
  configs: readonly FileEntry[],
  image: string,
  warnings: readonly string[],
): DeclarativeConfig {
  let errors: string[];
  let loaded: DeclarativeConfig | undefined;
  try {
    loaded = loadConfig(configs);
    errors = validateConfig(loaded);
  } catch (error) {
    errors = [error instanceof Error ? error.message : String(error)];
  }
  if (errors.length === 0 && loaded) return loaded;
  throw new CatalogValidationError(`The catalog ${image} would be invalid: ${errors[0]}`, {
    errors,
    warnings: [...warnings],
  });
}

/** The paths whose bytes differ between two versions of the folder (written, changed or removed), sorted. */
function changedPaths(before: readonly FileEntry[], after: readonly FileEntry[]): string[] {
  const old = new Map(before.map((f) => [f.path, f]));
  const paths = new Set<string>();
  for (const file of after) {
    const was = old.get(file.path);
    old.delete(file.path);
    if (!was || !sameFiles([was], [file])) paths.add(file.path);
  }
  for (const path of old.keys()) paths.add(path);
  return [...paths].sort();
}

/** PublishRelease, DeleteReleases and CheckHealth for an organization with bundle_images (SPEC §10). */
import { beforeEach, describe, expect, it } from 'vitest';
import { fflateGzip } from '../../src/adapters/fflate/fflate-gzip.js';
import { InMemoryBuildSystem } from '../../src/adapters/memory/in-memory-build-system.js';
import { InMemoryImageRegistry } from '../../src/adapters/memory/in-memory-image-registry.js';
import { InMemoryRegistry } from '../../src/adapters/memory/in-memory-registry.js';
import { InlineBundleEngine } from '../../src/application/bundle-job.js';
import { CheckHealth } from '../../src/application/check-health.js';
import { DeleteReleases } from '../../src/application/delete-releases.js';
import type { Archive, BundleJob, ImageRegistrySession } from '../../src/application/ports.js';
import { PublishBundleImages } from '../../src/application/publish-bundle-images.js';
import { type PublishCommand, PublishRelease } from '../../src/application/publish-release.js';
import { BUNDLE_ANNOTATION } from '../../src/domain/bundle-image/registry-bundles.js';
import {
  BundleImageVersionError,
  ImageTagTakenError,
  PackageValidationError,
  QuayPackageNotFoundError,
  RegistryError,
} from '../../src/domain/errors.js';
import type { FileEntry } from '../../src/domain/files.js';
import type { OrganizationPolicy } from '../../src/domain/organization-policy.js';
import { zipOf } from '../support/bundles.js';
import { failure } from '../support/failure.js';
import { FakeArchive } from '../support/fake-archive.js';
import { policy, withValue } from '../support/manifest-builders.js';
import { csvNameOf, nestedOperator, versionCsv } from '../support/operator-versions.js';
import { RecordingPacker } from '../support/recording-packer.js';

const REGISTRY = 'https://registry.example.com:5000';
const REPOSITORY = 'images/widget-bundle';

const zipOfFiles = (files: FileEntry[]) => zipOf(Object.fromEntries(files.map((f) => [f.path, f.data])));

/** Counts unpacks, so a test can tell that nothing was read. */
class CountingArchive extends FakeArchive implements Archive {
  unpacked = 0;
  override async unpack(bytes: Uint8Array) {
    this.unpacked++;
    return super.unpack(bytes);
  }
}

/** Counts image pushes, so a test can tell a no-op from a re-push. */
class CountingImageRegistry extends InMemoryImageRegistry {
  pushes = 0;
  override session(registry: string, token: string): ImageRegistrySession {
    const session = super.session(registry, token);
    return {
      ...session,
      pushImage: (repository, tag, image) => {
        this.pushes++;
        return session.pushImage(repository, tag, image);
      },
    };
  }
}

describe('bundle images', () => {
  let images: CountingImageRegistry;
  let quay: InMemoryRegistry;
  let archive: CountingArchive;
  let policies: Record<string, OrganizationPolicy>;
  let publish: PublishRelease;
  let packer: RecordingPacker;
  let jobs: BundleJob[];

  const upload = (files: FileEntry[], over: Partial<PublishCommand> = {}): PublishCommand => ({
    organization: 'images',
    source: { kind: 'upload', bytes: zipOfFiles(files) },
    token: 'Basic dXNlcjpwYXNz',
    ...over,
  });
  const three = () => nestedOperator(['1.0.0', '1.1.0', '2.0.0']);

  beforeEach(() => {
    images = new CountingImageRegistry({ authorize: (token) => token.startsWith('Basic ') });
    quay = new InMemoryRegistry();
    archive = new CountingArchive();
    policies = {
      images: policy({
        bundleImages: { registry: REGISTRY, repository: '{organization}/{package_name}-bundle' },
      }),
    };
    const logger = { debug() {}, info() {}, warn() {}, error() {} };
    packer = new RecordingPacker();
    jobs = [];
    const inline = new InlineBundleEngine(archive, { packer, layerGzip: fflateGzip });
    publish = new PublishRelease({
      engine: {
        prepare: (job) => {
          jobs.push(job);
          return inline.prepare(job);
        },
      },
      registry: quay,
      archive,
      buildSystem: new InMemoryBuildSystem().add('widget-container-2.0.0-1', {
        kind: 'operator',
        archive: zipOfFiles(three()),
      }),
      bundleImages: new PublishBundleImages({ imageRegistry: images, logger }),
      settings: {
        defaultReleaseVersion: '1.0.0',
        maxUncompressedSize: 1 << 20,
        policyFor: (o) => policies[o],
      },
      logger,
    });
  });

  it('pushes one image per CSV, tagged with its version, and nothing to the App Registry', async () => {
    const result = await publish.execute(upload(three()));
    expect(jobs.map((j) => j.pack)).toEqual([false]);
    expect(packer.calls).toEqual([]);
    expect(result).toMatchObject({ organization: 'images', repo: 'widget', version: '2.0.0' });
    expect(result.images?.map((i) => [i.version, i.image])).toEqual([
      ['1.0.0', `registry.example.com:5000/${REPOSITORY}:1.0.0`],
      ['1.1.0', `registry.example.com:5000/${REPOSITORY}:1.1.0`],
      ['2.0.0', `registry.example.com:5000/${REPOSITORY}:2.0.0`],
    ]);
    for (const { version, digest } of result.images ?? []) {
      const stored = images.image(REGISTRY, REPOSITORY, version);
      expect(stored?.manifest.digest).toBe(digest);
      const labels = JSON.parse(new TextDecoder().decode(stored?.config.data)).config.Labels;
      expect(labels[BUNDLE_ANNOTATION.package]).toBe('widget');
    }
    expect(await quay.releases('images', 'widget', 'token')).toBeUndefined();
  });

  it('publishes a Koji build the same way, naming the NVR', async () => {
    const result = await publish.execute({
      organization: 'images',
      source: { kind: 'koji', nvr: 'widget-container-2.0.0-1' },
      token: 'Basic dXNlcjpwYXNz',
    });
    expect(result).toMatchObject({ nvr: 'widget-container-2.0.0-1', version: '2.0.0' });
    expect(result.images?.map((i) => i.version)).toEqual(['1.0.0', '1.1.0', '2.0.0']);
  });

  it('v1: the repository in the URL must still equal the packageName', async () => {
    const error = await failure(publish.execute(upload(three(), { repository: 'other' })));
    expect(error).toBeInstanceOf(PackageValidationError);
    expect(images.pushes).toBe(0);
    expect((await publish.execute(upload(three(), { repository: 'widget' }))).images).toHaveLength(3);
  });

  it('a second identical push is a no-op with the same answer', async () => {
    const first = await publish.execute(upload(three()));
    expect(images.pushes).toBe(3);
    const second = await publish.execute(upload(three()));
    expect(second).toEqual(first);
    expect(images.pushes).toBe(3);
  });

  it('refuses a tag that holds other content, and pushes none of the images', async () => {
    await publish.execute(upload(nestedOperator(['1.0.0'])));
    const before = images.image(REGISTRY, REPOSITORY, '1.0.0')?.manifest.digest;
    const changed = three().map((f) =>
      f.path === '1.0.0/widget.v1.0.0.clusterserviceversion.yaml'
        ? {
            path: f.path,
            data: new TextEncoder().encode(
              JSON.stringify(versionCsv('1.0.0', undefined, { 'spec.displayName': 'Changed' })),
            ),
          }
        : f,
    );
    const error = await failure(publish.execute(upload(changed)));
    expect(error).toBeInstanceOf(ImageTagTakenError);
    expect(error.id).toBe('RegistryError');
    expect(error.message).toContain(
      `registry.example.com:5000/${REPOSITORY}:1.0.0 already holds different content`,
    );
    expect(images.image(REGISTRY, REPOSITORY, '1.0.0')?.manifest.digest).toBe(before);
    expect(images.image(REGISTRY, REPOSITORY, '2.0.0')).toBeUndefined();
  });

  it('refuses an explicit version before reading the upload', async () => {
    const error = await failure(publish.execute(upload(three(), { version: '1.0.0' })));
    expect(error).toBeInstanceOf(BundleImageVersionError);
    expect(error.id).toBe('OMPSInvalidVersionFormat');
    expect(error.message).toContain('organization images publishes bundle images');
    expect(archive.unpacked).toBe(0);
  });

  it.each([false, true])(
    'credentials the registry refuses stop the publish before any bundle work (dry run: %s)',
    async (dryRun) => {
      const error = await failure(publish.execute(upload(three(), { token: 'made-up', dryRun })));
      expect(error.id).toBe('RegistryAuthorizationError');
      expect(error.message).toBe('The registry refused the credentials (401): authentication required.');
      expect(jobs).toEqual([]);
      expect(archive.unpacked).toBe(0);
      expect(images.pushes).toBe(0);
    },
  );

  it('a dry run answers the images and their files, and pushes nothing', async () => {
    const result = await publish.execute(upload(three(), { dryRun: true }));
    expect(result.dryRun).toBe(true);
    expect(result.images).toHaveLength(3);
    expect(result.filesToPush).toContain('2.0.0/metadata/annotations.yaml');
    expect(result.filesToPush).toContain('1.0.0/manifests/widget.v1.0.0.clusterserviceversion.yaml');
    expect(images.image(REGISTRY, REPOSITORY, '1.0.0')).toBeUndefined();
    // And the digests are those a real push gives.
    const pushed = await publish.execute(upload(three()));
    expect(pushed.images).toEqual(result.images);
  });

  it('validates first: an invalid bundle is refused with validation_info, nothing pushed', async () => {
    const broken = nestedOperator(['1.0.0']).map((f) =>
      f.path.endsWith('clusterserviceversion.yaml')
        ? {
            path: f.path,
            data: new TextEncoder().encode(
              JSON.stringify(withValue(versionCsv('1.0.0'), 'spec.install', undefined)),
            ),
          }
        : f,
    );
    expect(await failure(publish.execute(upload(broken)))).toBeInstanceOf(PackageValidationError);
    expect(images.image(REGISTRY, REPOSITORY, '1.0.0')).toBeUndefined();
  });

  it('warns about a CSV no channel reaches, in the dry run’s validationInfo', async () => {
    const files = nestedOperator(['1.0.0', '2.0.0'], {
      channels: [{ name: 'stable', currentCSV: csvNameOf('1.0.0') }],
    });
    const result = await publish.execute(upload(files, { dryRun: true }));
    expect(result.validationInfo?.warnings).toContainEqual(expect.stringContaining('is not reachable'));
  });

  describe('deleting', () => {
    let remove: DeleteReleases;
    beforeEach(async () => {
      remove = new DeleteReleases({ registry: quay, imageRegistry: images, policyFor: (o) => policies[o] });
      await publish.execute(upload(three()));
    });
    const command = (version?: string) => ({
      organization: 'images',
      repository: 'widget',
      token: 'Basic dXNlcjpwYXNz',
      ...(version ? { version } : {}),
    });

    it('removes one tag', async () => {
      expect(await remove.execute(command('1.1.0'))).toEqual({
        organization: 'images',
        repo: 'widget',
        deleted: ['1.1.0'],
      });
      expect(images.image(REGISTRY, REPOSITORY, '1.1.0')).toBeUndefined();
      expect(images.image(REGISTRY, REPOSITORY, '2.0.0')).toBeDefined();
    });

    it('removes every tag without a version; an unknown tag or repository is not found', async () => {
      const result = await remove.execute(command());
      expect([...result.deleted].sort()).toEqual(['1.0.0', '1.1.0', '2.0.0']);
      expect(await failure(remove.execute(command('1.0.0')))).toBeInstanceOf(QuayPackageNotFoundError);
      expect(await failure(remove.execute({ ...command(), repository: 'nothing' }))).toBeInstanceOf(
        QuayPackageNotFoundError,
      );
    });

    it('a delete of every tag that fails in part is a RegistryError, not a Quay id', async () => {
      const session = images.session.bind(images);
      images.session = (registry, token) => {
        const real = session(registry, token);
        return {
          ...real,
          deleteTag: (repository, tag) =>
            tag === '1.1.0'
              ? Promise.reject(new Error('the registry answered 500'))
              : real.deleteTag(repository, tag),
        };
      };
      const error = await failure(remove.execute(command()));
      expect(error).toBeInstanceOf(RegistryError);
      expect(error.message).toMatch(/Not deleted: 1\.1\.0 \(the registry answered 500\)/);
      expect(images.image(REGISTRY, REPOSITORY, '1.1.0')).toBeDefined();
    });
  });

  it('health reports the bundle registries when there are some', async () => {
    const health = (urls: string[]) =>
      new CheckHealth({
        registry: quay,
        buildSystem: new InMemoryBuildSystem(),
        bundleRegistries: { imageRegistry: images, urls },
      }).execute();
    expect((await health([])).services.bundle_registry).toBeUndefined();
    expect((await health([REGISTRY])).services.bundle_registry).toEqual({ ok: true, details: 'It works!' });
    images.unavailable = 'Could not connect to the registry';
    const down = await health([REGISTRY]);
    expect(down.status).toBe(503);
    expect(down.services.bundle_registry?.details).toBe(
      `${new URL(REGISTRY).host}: Could not connect to the registry (${REGISTRY})`,
    );
  });
});

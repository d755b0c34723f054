/**
 * What every ImageRegistry must do, whoever implements it (the in-memory fake
 * and the OCI adapter against the registry emulator): the port's semantics,
 * not the distribution API's wire format.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fflateGzip } from '../../src/adapters/fflate/fflate-gzip.js';
import type { ImageRegistry, ImageRegistrySession } from '../../src/application/ports.js';
import { buildOciImage, type OciImage } from '../../src/domain/bundle-image/oci-image.js';
import { QuayPackageNotFoundError, RegistryAuthorizationError } from '../../src/domain/errors.js';
import { caught } from '../support/failure.js';

export interface ImageRegistrySubject {
  imageRegistry: ImageRegistry;
  /** The registry's base URL. */
  registry: string;
  /** An Authorization value the registry accepts, and one it refuses. */
  token: string;
  badToken: string;
  /** What `repository:tag` holds, read behind the adapter's back. */
  stored(repository: string, tag: string): Promise<{ digest: string; layers: Uint8Array[] } | undefined>;
  cleanup(): Promise<void> | void;
}

const text = (s: string) => new TextEncoder().encode(s);

export function anImage(version: string): Promise<OciImage> {
  return buildOciImage(
    [
      { path: 'manifests/widget.clusterserviceversion.yaml', data: text(`version: ${version}\n`) },
      { path: 'metadata/annotations.yaml', data: text('annotations: {}\n') },
    ],
    { 'operators.operatorframework.io.bundle.package.v1': 'widget' },
    fflateGzip,
  );
}

export function imageRegistryContract(name: string, makeSubject: () => Promise<ImageRegistrySubject>): void {
  describe(`ImageRegistry contract: ${name}`, () => {
    let subject: ImageRegistrySubject;
    let session: ImageRegistrySession;
    const repo = 'acme/widget-bundle';

    beforeEach(async () => {
      subject = await makeSubject();
      session = subject.imageRegistry.session(subject.registry, subject.token);
    });

    afterEach(async () => {
      await subject.cleanup();
    });

    it('knows no manifest in a repository it does not know, nor under an unknown tag', async () => {
      expect(await session.manifestDigest(repo, '1.0.0')).toBeUndefined();
      await session.pushImage(repo, '1.0.0', await anImage('1.0.0'));
      expect(await session.manifestDigest(repo, '2.0.0')).toBeUndefined();
    });

    it('stores a pushed image under its tag: its manifest digest and its layer, byte for byte', async () => {
      const image = await anImage('1.0.0');
      await session.pushImage(repo, '1.0.0', image);
      expect(await session.manifestDigest(repo, '1.0.0')).toBe(image.manifest.digest);
      const stored = await subject.stored(repo, '1.0.0');
      expect(stored?.digest).toBe(image.manifest.digest);
      expect(stored?.layers).toEqual([image.layers[0]!.data]);
    });

    it('accepts the same image twice, and the same blobs under another tag', async () => {
      const image = await anImage('1.0.0');
      await session.pushImage(repo, '1.0.0', image);
      await session.pushImage(repo, '1.0.0', image);
      await session.pushImage(repo, 'latest', image);
      expect(await session.manifestDigest(repo, '1.0.0')).toBe(image.manifest.digest);
      expect(await session.manifestDigest(repo, 'latest')).toBe(image.manifest.digest);
    });

    it('lists the tags of a repository, and none (undefined) for an unknown one', async () => {
      expect(await session.tags(repo)).toBeUndefined();
      await session.pushImage(repo, '1.0.0', await anImage('1.0.0'));
      await session.pushImage(repo, '2.0.0', await anImage('2.0.0'));
      await session.pushImage('acme/other-bundle', '9.0.0', await anImage('9.0.0'));
      expect([...((await session.tags(repo)) ?? [])].sort()).toEqual(['1.0.0', '2.0.0']);
    });

    it('deletes one tag (its manifest), leaving the others', async () => {
      await session.pushImage(repo, '1.0.0', await anImage('1.0.0'));
      await session.pushImage(repo, '2.0.0', await anImage('2.0.0'));
      await session.deleteTag(repo, '1.0.0');
      expect(await session.manifestDigest(repo, '1.0.0')).toBeUndefined();
      expect(await subject.stored(repo, '1.0.0')).toBeUndefined();
      expect(await session.tags(repo)).toEqual(['2.0.0']);
    });

    it('refuses to delete an unknown tag, or in an unknown repository, with QuayPackageNotFoundError', async () => {
      expect(await caught(session.deleteTag(repo, '1.0.0'))).toBeInstanceOf(QuayPackageNotFoundError);
      await session.pushImage(repo, '1.0.0', await anImage('1.0.0'));
      expect(await caught(session.deleteTag(repo, '3.0.0'))).toBeInstanceOf(QuayPackageNotFoundError);
      expect(await caught(session.deleteTag(repo, 'not a tag!'))).toBeInstanceOf(QuayPackageNotFoundError);
    });

    it('answers refused credentials with RegistryAuthorizationError: to read, push, list and delete', async () => {
      const image = await anImage('1.0.0');
      await session.pushImage(repo, '1.0.0', image);
      const bad = subject.imageRegistry.session(subject.registry, subject.badToken);
      expect(await caught(bad.manifestDigest(repo, '1.0.0'))).toBeInstanceOf(RegistryAuthorizationError);
      expect(await caught(bad.pushImage(repo, '2.0.0', await anImage('2.0.0')))).toBeInstanceOf(
        RegistryAuthorizationError,
      );
      expect(await caught(bad.tags(repo))).toBeInstanceOf(RegistryAuthorizationError);
      const deleting = await caught(bad.deleteTag(repo, '1.0.0'));
      expect(deleting).toBeInstanceOf(RegistryAuthorizationError);
      expect((deleting as RegistryAuthorizationError).extra?.field).toBe('registry_response');
      expect(await session.manifestDigest(repo, '1.0.0')).toBe(image.manifest.digest);
      expect(await session.manifestDigest(repo, '2.0.0')).toBeUndefined();
    });

    it('authenticate: resolves for credentials it takes, QuayAuthorizationError for those it refuses', async () => {
      await expect(
        subject.imageRegistry.authenticate(subject.registry, subject.token),
      ).resolves.toBeUndefined();
      const refused = await caught<Error>(
        subject.imageRegistry.authenticate(subject.registry, subject.badToken),
      );
      expect(refused).toBeInstanceOf(RegistryAuthorizationError);
      expect(refused.message).toMatch(/^The registry refused the credentials \(401\)/);
    });

    it('answers a ping', async () => {
      await expect(subject.imageRegistry.ping(subject.registry)).resolves.toBeUndefined();
    });
  });
}

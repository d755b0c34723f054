/**
 * What every Registry must do, whoever implements it (the in-memory fake and
 * the Quay adapter against the emulator): the port's semantics, not Quay's
 * wire format.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Registry } from '../../src/application/ports.js';
import {
  type OmpsError,
  QuayAuthorizationError,
  QuayCourierError,
  QuayPackageError,
  QuayPackageNotFoundError,
  ReleaseAlreadyExistsError,
} from '../../src/domain/errors.js';
import type { FileEntry } from '../../src/domain/files.js';
import { caught } from '../support/failure.js';

export interface RegistrySubject {
  registry: Registry;
  /** A token the registry accepts for every organization. */
  token: string;
  /** A token the registry refuses. */
  badToken: string;
  /** An oauth token accepted by makePublic, and one refused. */
  oauthToken: string;
  badOauthToken: string;
  /** Creates releases behind the registry's back (no token). */
  seed(organization: string, repository: string, versions: readonly string[]): Promise<void> | void;
  /** What the registry holds for a release: the bundle's files, paths relative to the bundle root. */
  storedBundle(organization: string, repository: string, version: string): Promise<FileEntry[] | undefined>;
  visibility(organization: string, repository: string): Promise<'private' | 'public' | undefined>;
  cleanup(): Promise<void> | void;
}

const text = (s: string) => new TextEncoder().encode(s);

export function registryContract(name: string, makeSubject: () => Promise<RegistrySubject>): void {
  describe(`Registry contract: ${name}`, () => {
    let subject: RegistrySubject;
    let registry: Registry;

    beforeEach(async () => {
      subject = await makeSubject();
      registry = subject.registry;
    });

    afterEach(async () => {
      await subject.cleanup();
    });

    describe('releases', () => {
      it('is undefined for a package the registry does not know', async () => {
        expect(await registry.releases('acme', 'unknown', subject.token)).toBeUndefined();
      });

      it('lists seeded releases, raw (non-conforming ones included), of that package only', async () => {
        await subject.seed('acme', 'etcd', ['1.0.0', '2.5.1', 'latest']);
        await subject.seed('acme', 'etcd-other', ['9.0.0']);
        await subject.seed('other', 'etcd', ['7.0.0']);
        const releases = await registry.releases('acme', 'etcd', subject.token);
        expect([...(releases ?? [])].sort()).toEqual(['1.0.0', '2.5.1', 'latest']);
      });

      it('refuses a bad token with QuayAuthorizationError carrying a quay_response object', async () => {
        await subject.seed('acme', 'etcd', ['1.0.0']);
        const error = await caught(registry.releases('acme', 'etcd', subject.badToken));
        expect(error).toBeInstanceOf(QuayAuthorizationError);
        expect((error as OmpsError).id).toBe('QuayAuthorizationError');
        expect((error as OmpsError).extra?.field).toBe('quay_response');
        expect(typeof (error as OmpsError).extra?.value).toBe('object');
        expect((error as Error).message).not.toContain(subject.badToken);
      });
    });

    describe('push', () => {
      it('creates the package and the release, holding the files given', async () => {
        const bundle: FileEntry[] = [
          { path: 'bundle.yaml', data: text('data: {}\n') },
          { path: '1.0.0/etcd.csv.yaml', data: new Uint8Array([0, 1, 2, 255]) },
        ];
        await registry.push({
          organization: 'acme',
          repository: 'etcd',
          version: '1.0.0',
          bundle,
          token: subject.token,
        });
        expect(await registry.releases('acme', 'etcd', subject.token)).toEqual(['1.0.0']);
        const stored = await subject.storedBundle('acme', 'etcd', '1.0.0');
        expect(sortByPath(stored ?? [])).toEqual(sortByPath(bundle));
      });

      it('adds a release next to existing ones', async () => {
        await subject.seed('acme', 'etcd', ['1.0.0']);
        await registry.push({
          organization: 'acme',
          repository: 'etcd',
          version: '2.0.0',
          bundle: [],
          token: subject.token,
        });
        expect([...((await registry.releases('acme', 'etcd', subject.token)) ?? [])].sort()).toEqual([
          '1.0.0',
          '2.0.0',
        ]);
      });

      it('refuses an existing release with ReleaseAlreadyExistsError, a QuayCourierError', async () => {
        await subject.seed('acme', 'etcd', ['1.0.0']);
        const error = await caught(
          registry.push({
            organization: 'acme',
            repository: 'etcd',
            version: '1.0.0',
            bundle: [{ path: 'bundle.yaml', data: text('x') }],
            token: subject.token,
          }),
        );
        expect(error).toBeInstanceOf(ReleaseAlreadyExistsError);
        expect(error).toBeInstanceOf(QuayCourierError);
        expect((error as ReleaseAlreadyExistsError).id).toBe('QuayCourierError');
        expect((error as ReleaseAlreadyExistsError).release).toBe('1.0.0');
        expect((error as OmpsError).extra).toEqual({
          field: 'quay_response',
          value: { error: expect.objectContaining({ code: 'package-exists' }) },
        });
        // The existing release is untouched.
        expect(await subject.storedBundle('acme', 'etcd', '1.0.0')).toEqual([]);
      });

      it('refuses a bad token with QuayAuthorizationError and stores nothing', async () => {
        const error = await caught(
          registry.push({
            organization: 'acme',
            repository: 'etcd',
            version: '1.0.0',
            bundle: [],
            token: subject.badToken,
          }),
        );
        expect(error).toBeInstanceOf(QuayAuthorizationError);
        expect((error as Error).message).not.toContain(subject.badToken);
        expect(await registry.releases('acme', 'etcd', subject.token)).toBeUndefined();
      });
    });

    describe('deleteRelease', () => {
      it('removes that release only', async () => {
        await subject.seed('acme', 'etcd', ['1.0.0', '2.0.0']);
        await registry.deleteRelease('acme', 'etcd', '1.0.0', subject.token);
        expect(await registry.releases('acme', 'etcd', subject.token)).toEqual(['2.0.0']);
        expect(await subject.storedBundle('acme', 'etcd', '1.0.0')).toBeUndefined();
      });

      it('deletes non-conforming releases too', async () => {
        await subject.seed('acme', 'etcd', ['latest']);
        await registry.deleteRelease('acme', 'etcd', 'latest', subject.token);
        expect((await registry.releases('acme', 'etcd', subject.token)) ?? []).toEqual([]);
      });

      it('answers QuayPackageNotFound for a missing release or package', async () => {
        await subject.seed('acme', 'etcd', ['1.0.0']);
        for (const [repo, version] of [
          ['etcd', '9.9.9'],
          ['unknown', '1.0.0'],
        ] as const) {
          const error = await caught(registry.deleteRelease('acme', repo, version, subject.token));
          expect(error).toBeInstanceOf(QuayPackageNotFoundError);
          expect((error as OmpsError).id).toBe('QuayPackageNotFound');
        }
        expect(await registry.releases('acme', 'etcd', subject.token)).toEqual(['1.0.0']);
      });

      it('answers QuayPackageError for a refused token and keeps the release', async () => {
        await subject.seed('acme', 'etcd', ['1.0.0']);
        const error = await caught(registry.deleteRelease('acme', 'etcd', '1.0.0', subject.badToken));
        expect(error).toBeInstanceOf(QuayPackageError);
        expect((error as Error).message).not.toContain(subject.badToken);
        expect(await registry.releases('acme', 'etcd', subject.token)).toEqual(['1.0.0']);
      });

      it('deleting twice: the second is QuayPackageNotFound', async () => {
        await subject.seed('acme', 'etcd', ['1.0.0']);
        await registry.deleteRelease('acme', 'etcd', '1.0.0', subject.token);
        await expect(registry.deleteRelease('acme', 'etcd', '1.0.0', subject.token)).rejects.toBeInstanceOf(
          QuayPackageNotFoundError,
        );
      });
    });

    describe('makePublic', () => {
      it('makes a pushed repository public', async () => {
        await registry.push({
          organization: 'acme',
          repository: 'etcd',
          version: '1.0.0',
          bundle: [],
          token: subject.token,
        });
        expect(await subject.visibility('acme', 'etcd')).toBe('private');
        await registry.makePublic('acme', 'etcd', subject.oauthToken);
        expect(await subject.visibility('acme', 'etcd')).toBe('public');
        // Idempotent.
        await registry.makePublic('acme', 'etcd', subject.oauthToken);
        expect(await subject.visibility('acme', 'etcd')).toBe('public');
      });

      it('answers QuayPackageError for a refused oauth token or an unknown repository', async () => {
        await subject.seed('acme', 'etcd', ['1.0.0']);
        const refused = await caught(registry.makePublic('acme', 'etcd', subject.badOauthToken));
        expect(refused).toBeInstanceOf(QuayPackageError);
        expect((refused as Error).message).not.toContain(subject.badOauthToken);
        expect(await subject.visibility('acme', 'etcd')).toBe('private');
        await expect(registry.makePublic('acme', 'unknown', subject.oauthToken)).rejects.toBeInstanceOf(
          QuayPackageError,
        );
      });
    });

    describe('ping', () => {
      it('resolves when the registry is up', async () => {
        await expect(registry.ping()).resolves.toBeUndefined();
      });
    });
  });
}

function sortByPath(files: readonly FileEntry[]): { path: string; data: number[] }[] {
  return [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => ({ path: f.path, data: [...f.data] }));
}

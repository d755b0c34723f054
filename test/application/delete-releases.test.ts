import { beforeEach, describe, expect, it } from 'vitest';
import { InMemoryRegistry } from '../../src/adapters/memory/in-memory-registry.js';
import { DeleteReleases } from '../../src/application/delete-releases.js';
import { QuayPackageError } from '../../src/domain/errors.js';
import { failure } from '../support/failure.js';

class FlakyRegistry extends InMemoryRegistry {
  failing = new Set<string>();
  override async deleteRelease(org: string, repo: string, version: string, token: string) {
    if (this.failing.has(version)) throw new QuayPackageError(`Quay answered 500 deleting ${version}`);
    return super.deleteRelease(org, repo, version, token);
  }
}

describe('DeleteReleases', () => {
  let registry: FlakyRegistry;
  let del: DeleteReleases;
  beforeEach(() => {
    registry = new FlakyRegistry();
    registry.seed('myorg', 'repo', ['1.0.0', '2.0.0', 'weird-release']);
    del = new DeleteReleases({ registry });
  });

  it('deletes one release as given, without a format check', async () => {
    expect(
      await del.execute({ organization: 'myorg', repository: 'repo', version: 'weird-release', token: 't' }),
    ).toEqual({
      organization: 'myorg',
      repo: 'repo',
      deleted: ['weird-release'],
    });
    expect(registry.release('myorg', 'repo', 'weird-release')).toBeUndefined();
  });

  it('deletes every raw release, conforming or not', async () => {
    const r = await del.execute({ organization: 'myorg', repository: 'repo', token: 't' });
    expect(r.deleted.sort()).toEqual(['1.0.0', '2.0.0', 'weird-release']);
    expect(await registry.releases('myorg', 'repo', 't')).toEqual([]);
  });

  it('a repository with no releases answers deleted: []', async () => {
    registry.seed('myorg', 'empty', []);
    expect((await del.execute({ organization: 'myorg', repository: 'empty', token: 't' })).deleted).toEqual(
      [],
    );
  });

  it('an unknown package or release is QuayPackageNotFound', async () => {
    expect((await failure(del.execute({ organization: 'myorg', repository: 'nope', token: 't' }))).id).toBe(
      'QuayPackageNotFound',
    );
    expect(
      (
        await failure(
          del.execute({ organization: 'myorg', repository: 'repo', version: '9.9.9', token: 't' }),
        )
      ).id,
    ).toBe('QuayPackageNotFound');
  });

  it('tries every release and says what was and was not deleted', async () => {
    registry.failing.add('2.0.0');
    const e = await failure(del.execute({ organization: 'myorg', repository: 'repo', token: 't' }));
    expect(e.id).toBe('QuayPackageError');
    expect(e.message).toContain('Deleted: [1.0.0, weird-release]');
    expect(e.message).toContain('Not deleted: 2.0.0');
    expect(registry.release('myorg', 'repo', '1.0.0')).toBeUndefined();
    expect(registry.release('myorg', 'repo', 'weird-release')).toBeUndefined();
  });

  it('requires a token', async () => {
    expect((await failure(del.execute({ organization: 'myorg', repository: 'repo', token: '' }))).id).toBe(
      'OMPSAuthorizationHeaderRequired',
    );
  });
});

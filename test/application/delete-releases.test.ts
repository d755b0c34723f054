import { beforeEach, describe, expect, it } from 'vitest';
import { InMemoryRegistry } from '../../src/adapters/memory/in-memory-registry.js';
import { DeleteReleases, MAX_PARALLEL_DELETES } from '../../src/application/delete-releases.js';
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

  it('has at most 4 DELETEs in flight, and still tries every release when some fail', async () => {
    /** Takes a moment over each DELETE, recording how many are in flight at once. */
    class GatedRegistry extends FlakyRegistry {
      inFlight = 0;
      most = 0;
      tried: string[] = [];
      override async deleteRelease(org: string, repo: string, version: string, token: string) {
        this.tried.push(version);
        this.inFlight++;
        this.most = Math.max(this.most, this.inFlight);
        await new Promise((r) => setTimeout(r, 1 + (this.tried.length % 3)));
        this.inFlight--;
        return super.deleteRelease(org, repo, version, token);
      }
    }
    const gated = new GatedRegistry();
    const versions = Array.from({ length: 23 }, (_, i) => `${i}.0.0`);
    gated.seed('myorg', 'many', versions);
    gated.failing = new Set(['3.0.0', '4.0.0', '17.0.0']);

    const error = await failure(
      new DeleteReleases({ registry: gated }).execute({
        organization: 'myorg',
        repository: 'many',
        token: 't',
      }),
    );

    expect(MAX_PARALLEL_DELETES).toBe(4);
    expect(gated.most).toBe(4);
    expect([...gated.tried].sort()).toEqual([...versions].sort());
    expect(error).toBeInstanceOf(QuayPackageError);
    expect(error.message).toMatch(/Not deleted: 3\.0\.0 \(.*\), 4\.0\.0 \(.*\), 17\.0\.0 \(/);
    expect(await gated.releases('myorg', 'many', 't')).toEqual(['3.0.0', '4.0.0', '17.0.0']);
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import { InMemoryBuildSystem } from '../../src/adapters/memory/in-memory-build-system.js';
import { InMemoryPolicyGate } from '../../src/adapters/memory/in-memory-policy-gate.js';
import { InMemoryRegistry } from '../../src/adapters/memory/in-memory-registry.js';
import { InlineBundleEngine } from '../../src/application/bundle-job.js';
import type { BundleJob, PushRequest } from '../../src/application/ports.js';
import { type PublishCommand, PublishRelease } from '../../src/application/publish-release.js';
import { QuayCourierError } from '../../src/domain/errors.js';
import type { OrganizationPolicy } from '../../src/domain/organization-policy.js';
import { SAMPLE_OPERATOR_FILES } from '../../src/infrastructure/demo/sample-operator.js';
import { sampleZip, text, zipOf } from '../support/bundles.js';
import { failure } from '../support/failure.js';
import { FakeArchive } from '../support/fake-archive.js';
import { RecordingPacker } from '../support/recording-packer.js';

const NVR = 'hello-operator-container-1.0.0-1';

/** Counts pushes; can make the first pushes lose a race against a concurrent publisher. */
class RacingRegistry extends InMemoryRegistry {
  readonly pushes: PushRequest[] = [];
  racesToLose = 0;
  override async push(request: PushRequest): Promise<void> {
    this.pushes.push(request);
    if (this.racesToLose > 0) {
      this.racesToLose--;
      // someone else publishes this very version just before us
      this.seed(request.organization, request.repository, [request.version]);
    }
    return super.push(request);
  }
}

describe('PublishRelease', () => {
  let registry: RacingRegistry;
  let buildSystem: InMemoryBuildSystem;
  let gate: InMemoryPolicyGate;
  let policies: Record<string, OrganizationPolicy>;
  let publish: PublishRelease;

  const upload = (over: Partial<PublishCommand> = {}): PublishCommand => ({
    organization: 'myorg',
    source: { kind: 'upload', bytes: sampleZip() },
    token: 'token',
    ...over,
  });

  beforeEach(() => {
    registry = new RacingRegistry();
    buildSystem = new InMemoryBuildSystem()
      .add(NVR, { kind: 'operator', archive: sampleZip() })
      .add('plain-1-1', { kind: 'not-an-operator' })
      .add('legacy-1-1', { kind: 'archive-missing', archiveName: 'operator_manifests.zip' });
    gate = new InMemoryPolicyGate();
    policies = {};
    publish = new PublishRelease({
      registry,
      archive: new FakeArchive(),
      buildSystem,
      policyGate: gate,
      settings: {
        defaultReleaseVersion: '1.0.0',
        maxUncompressedSize: 1 << 20,
        policyFor: (o) => policies[o],
      },
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
  });

  it('v2: publishes an upload to the repository named by packageName, at the default version', async () => {
    const result = await publish.execute(upload());
    expect(result).toEqual({
      organization: 'myorg',
      repo: 'hello-operator',
      version: '1.0.0',
      extractedFiles: Object.keys(SAMPLE_OPERATOR_FILES).sort(),
    });
    expect(registry.pushes).toHaveLength(1);
    expect(registry.pushes[0]).toMatchObject({
      organization: 'myorg',
      repository: 'hello-operator',
      version: '1.0.0',
      token: 'token',
    });
    expect(registry.pushes[0]!.bundle.map((f) => f.path)).toEqual(['bundle.yaml']);
  });

  it('bumps the major part of the latest conforming release', async () => {
    registry.seed('myorg', 'hello-operator', ['2.5.1', '1.9.9', 'latest']);
    expect((await publish.execute(upload())).version).toBe('3.0.0');
  });

  it('uses the explicit version', async () => {
    expect((await publish.execute(upload({ version: '0.0.7' }))).version).toBe('0.0.7');
    expect(registry.release('myorg', 'hello-operator', '0.0.7')).toBeDefined();
  });

  it('refuses an explicit version that exists, and pushes nothing', async () => {
    registry.seed('myorg', 'hello-operator', ['1.0.0']);
    const e = await failure(publish.execute(upload({ version: '1.0.0' })));
    expect(e).toBeInstanceOf(QuayCourierError);
    expect(e.id).toBe('QuayCourierError');
  });

  it('lists the releases before judging the bundle: Quay refusing the listing wins over an invalid bundle', async () => {
    const invalid = zipOf({ 'hello.package.yaml': 'packageName: hello\nchannels: []\n' });
    const refusing = new PublishRelease({
      registry: new InMemoryRegistry({ authorize: () => false }),
      archive: new FakeArchive(),
      buildSystem,
      settings: { defaultReleaseVersion: '1.0.0', maxUncompressedSize: 1 << 20, policyFor: () => undefined },
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    const refused = await failure(refusing.execute(upload({ source: { kind: 'upload', bytes: invalid } })));
    expect(refused.id).toBe('QuayAuthorizationError');
    // With an explicit version nothing is listed, and the verdict is the answer.
    const judged = await failure(
      refusing.execute(upload({ version: '1.0.0', source: { kind: 'upload', bytes: invalid } })),
    );
    expect(judged.id).toBe('PackageValidationError');
  });

  it('an auto-versioned push that loses a race retries with the next version', async () => {
    registry.racesToLose = 2;
    const result = await publish.execute(upload());
    expect(result.version).toBe('3.0.0');
    expect(registry.pushes.map((p) => p.version)).toEqual(['1.0.0', '2.0.0', '3.0.0']);
  });

  it('gives up after bounded retries', async () => {
    registry.racesToLose = 100;
    const e = await failure(publish.execute(upload()));
    expect(e.id).toBe('QuayCourierError');
    expect(registry.pushes.length).toBe(6);
  });

  it('two concurrent auto-versioned pushes both succeed with different versions', async () => {
    const [a, b] = await Promise.all([publish.execute(upload()), publish.execute(upload())]);
    expect(new Set([a.version, b.version])).toEqual(new Set(['1.0.0', '2.0.0']));
  });

  it('v1: the repository comes from the URL and must equal packageName', async () => {
    const ok = await publish.execute(upload({ repository: 'hello-operator' }));
    expect(ok.repo).toBe('hello-operator');
    const e = await failure(publish.execute(upload({ repository: 'other-repo' })));
    expect(e.id).toBe('PackageValidationError');
    expect(JSON.stringify(e.extra?.value)).toContain(
      'The packageName (hello-operator) in bundle does not match repository name (other-repo) provided as command line argument.',
    );
    expect(registry.release('myorg', 'other-repo', '1.0.0')).toBeUndefined();
  });

  it('checks the Authorization token and the version format before anything else', async () => {
    expect((await failure(publish.execute(upload({ token: '' })))).id).toBe(
      'OMPSAuthorizationHeaderRequired',
    );
    expect((await failure(publish.execute(upload({ version: '1.0' })))).id).toBe('OMPSInvalidVersionFormat');
    expect(registry.pushes).toHaveLength(0);
  });

  it('applies the organization suffix to the repository (v2)', async () => {
    policies.myorg = { public: false, replaceRegistry: [], csvAnnotations: [], packageNameSuffix: '-beta' };
    const result = await publish.execute(upload());
    expect(result.repo).toBe('hello-operator-beta');
    expect(text(registry.release('myorg', 'hello-operator-beta', '1.0.0')!.bundle[0]!.data)).toContain(
      'hello-operator-beta',
    );
  });

  it('makes the repository public for a public organization with an oauth token', async () => {
    policies.myorg = { public: true, oauthToken: 'oauth', replaceRegistry: [], csvAnnotations: [] };
    await publish.execute(upload());
    expect(registry.visibility('myorg', 'hello-operator')).toBe('public');
  });

  it('a public organization without oauth token is pushed and left as it is', async () => {
    policies.myorg = { public: true, replaceRegistry: [], csvAnnotations: [] };
    await publish.execute(upload());
    expect(registry.visibility('myorg', 'hello-operator')).toBe('private');
  });

  it('says the release was pushed when making it public keeps failing', async () => {
    policies.myorg = { public: true, oauthToken: 'refused', replaceRegistry: [], csvAnnotations: [] };
    const failing = new RacingRegistry({ acceptOauthToken: () => false });
    const p = new PublishRelease({
      registry: failing,
      archive: new FakeArchive(),
      buildSystem,
      settings: {
        defaultReleaseVersion: '1.0.0',
        maxUncompressedSize: 1 << 20,
        policyFor: (o) => policies[o],
        publishRetryDelayMs: 1,
      },
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    const e = await failure(p.execute(upload()));
    expect(e.id).toBe('QuayPackageError');
    expect(e.message).toMatch(
      /Release 1\.0\.0 was pushed to myorg\/hello-operator, but the repository could not be made public/,
    );
    expect(failing.release('myorg', 'hello-operator', '1.0.0')).toBeDefined();
  });

  it('retries making the repository public with a backoff (delay, then twice it), not back to back', async () => {
    policies.myorg = { public: true, oauthToken: 'oauth', replaceRegistry: [], csvAnnotations: [] };
    /** Refuses the first two attempts, recording when each came. */
    class SlowToSee extends InMemoryRegistry {
      readonly attempts: number[] = [];
      override async makePublic(org: string, repo: string, oauthToken: string) {
        this.attempts.push(performance.now());
        if (this.attempts.length < 3) throw new QuayCourierError('Quay answered 404: no such repository');
        return super.makePublic(org, repo, oauthToken);
      }
    }
    const slow = new SlowToSee();
    const warnings: unknown[] = [];
    const p = new PublishRelease({
      registry: slow,
      archive: new FakeArchive(),
      buildSystem,
      settings: {
        defaultReleaseVersion: '1.0.0',
        maxUncompressedSize: 1 << 20,
        policyFor: (o) => policies[o],
        publishRetryDelayMs: 40,
      },
      logger: { debug() {}, info() {}, warn: (_m, f) => warnings.push(f), error() {} },
    });

    await p.execute(upload());

    expect(slow.visibility('myorg', 'hello-operator')).toBe('public');
    const [first, second, third] = slow.attempts as [number, number, number];
    // Lower bounds only (a busy machine may wait longer, never shorter); 1 ms of timer rounding allowed.
    expect(second - first).toBeGreaterThanOrEqual(39);
    expect(third - second).toBeGreaterThanOrEqual(79);
    expect(warnings).toHaveLength(2);
  });

  describe('from Koji', () => {
    it('publishes a build and answers its nvr; Greenwave is asked', async () => {
      const result = await publish.execute({
        organization: 'myorg',
        source: { kind: 'koji', nvr: NVR },
        token: 't',
      });
      expect(result).toMatchObject({ repo: 'hello-operator', version: '1.0.0', nvr: NVR });
      expect(gate.asked).toEqual([NVR]);
    });

    it.each([
      ['unknown-1-1', 'KojiNVRBuildNotFound'],
      ['plain-1-1', 'KojiNotAnOperatorImage'],
      ['legacy-1-1', 'KojiManifestsArchiveNotFound'],
    ])('%s fails with %s before Greenwave is asked, and nothing is pushed', async (nvr, id) => {
      const e = await failure(
        publish.execute({ organization: 'myorg', source: { kind: 'koji', nvr }, token: 't' }),
      );
      expect(e.id).toBe(id);
      expect(gate.asked).toEqual([]);
      expect(registry.pushes).toHaveLength(0);
    });

    it('Greenwave refusing stops the push', async () => {
      gate.refuse(NVR);
      const e = await failure(
        publish.execute({ organization: 'myorg', source: { kind: 'koji', nvr: NVR }, token: 't' }),
      );
      expect(e.id).toBe('GreenwaveUnsatisfiedError');
      expect(e.extra).toMatchObject({ field: 'greenwave_response', value: { policies_satisfied: false } });
      expect(registry.pushes).toHaveLength(0);
    });

    it('Greenwave is never asked for uploads', async () => {
      await publish.execute(upload());
      expect(gate.asked).toEqual([]);
    });
  });

  it('a bundle without package file fails validation and pushes nothing', async () => {
    const files = { ...SAMPLE_OPERATOR_FILES } as Record<string, string>;
    delete files['hello.package.yaml'];
    const e = await failure(publish.execute(upload({ source: { kind: 'upload', bytes: zipOf(files) } })));
    expect(e.id).toBe('PackageValidationError');
    expect(registry.pushes).toHaveLength(0);
  });

  /** A PublishRelease (no organization policies) whose bundle jobs run inline and are recorded in `jobs`. */
  const recordingJobs = (jobs: BundleJob[], packer?: RecordingPacker) => {
    const inline = new InlineBundleEngine(new FakeArchive(), packer ? { packer } : {});
    return new PublishRelease({
      registry,
      archive: new FakeArchive(),
      engine: {
        prepare: (job) => {
          jobs.push(job);
          return inline.prepare(job);
        },
      },
      buildSystem,
      settings: { defaultReleaseVersion: '1.0.0', maxUncompressedSize: 1 << 20, policyFor: () => undefined },
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
  };

  describe('the token is tried before the bundle job where the flow allows it', () => {
    let jobs: BundleJob[];
    let listings: number;

    beforeEach(() => {
      jobs = [];
      listings = 0;
      registry = new RacingRegistry({ authorize: (token) => token !== 'made-up' });
      const listing = registry.releases.bind(registry);
      registry.releases = (...args) => {
        listings++;
        return listing(...args);
      };
      publish = recordingJobs(jobs);
    });

    it('v1, auto-versioned: the listing comes first; a refused token costs no bundle job', async () => {
      const error = await failure(
        publish.execute(upload({ repository: 'hello-operator', token: 'made-up' })),
      );
      expect(error.id).toBe('QuayAuthorizationError');
      expect(error.message).toMatch(/^Cannot retrieve information about package myorg\/hello-operator: /);
      expect(jobs).toEqual([]);
      expect(registry.pushes).toEqual([]);
    });

    it('v1, auto-versioned: the releases listed first choose the version (one listing, not two)', async () => {
      registry.seed('myorg', 'hello-operator', ['1.2.3']);
      const result = await publish.execute(upload({ repository: 'hello-operator' }));
      expect(result.version).toBe('2.0.0');
      expect(listings).toBe(1);
      expect(jobs).toHaveLength(1);
    });

    it('what remains: v2 (the repository comes from the bundle) and explicit versions run the job first', async () => {
      expect((await failure(publish.execute(upload({ token: 'made-up' })))).id).toBe(
        'QuayAuthorizationError',
      );
      const explicit = upload({ repository: 'hello-operator', version: '1.0.0', token: 'made-up' });
      expect((await failure(publish.execute(explicit))).id).toBe('QuayAuthorizationError');
      expect(jobs).toHaveLength(2);
    });
  });

  describe('packing in the bundle job', () => {
    let packer: RecordingPacker;
    let jobs: BundleJob[];

    beforeEach(() => {
      packer = new RecordingPacker();
      jobs = [];
      publish = recordingJobs(jobs, packer);
    });

    it('asks the job to pack a push and hands the packed blob to the registry, for every attempt', async () => {
      registry.racesToLose = 1;
      await publish.execute(upload({ repository: 'hello-operator' }));
      expect(jobs.map((j) => j.pack)).toEqual([true]);
      expect(packer.calls).toHaveLength(1);
      expect(registry.pushes.map((p) => text(p.packed))).toEqual([
        `packed hello-operator: ${registry.pushes[0]?.bundle.map((f) => f.path)}`,
        `packed hello-operator: ${registry.pushes[0]?.bundle.map((f) => f.path)}`,
      ]);
    });

    it('packs nothing for a dry run', async () => {
      await publish.execute(upload({ dryRun: true }));
      expect(jobs.map((j) => j.pack)).toEqual([false]);
      expect(packer.calls).toEqual([]);
    });

    it('pushes the bundle unpacked when the job could not pack it', async () => {
      packer.failWith = new TypeError('cannot pack');
      await publish.execute(upload());
      expect(registry.pushes).toHaveLength(1);
      expect(registry.pushes[0]?.packed).toBeUndefined();
    });
  });
});

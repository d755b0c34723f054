import { afterEach, describe, expect, it, vi } from 'vitest';
import { InMemoryBuildSystem } from '../../src/adapters/memory/in-memory-build-system.js';
import { InMemoryPolicyGate } from '../../src/adapters/memory/in-memory-policy-gate.js';
import { InMemoryRegistry } from '../../src/adapters/memory/in-memory-registry.js';
import { OciImageRegistry } from '../../src/adapters/oci/oci-image-registry.js';
import { CheckHealth, HEALTH_PING_TIMEOUT_MS } from '../../src/application/check-health.js';

/** A ping that never settles, recording the signal it was given. */
function hangingPing() {
  const signals: AbortSignal[] = [];
  const ping = (signal?: AbortSignal) => {
    signals.push(signal!);
    return new Promise<void>(() => {});
  };
  return { signals, ping };
}

describe('CheckHealth', () => {
  it('is ok when every upstream answers; greenwave is null when not configured', async () => {
    const report = await new CheckHealth({
      registry: new InMemoryRegistry(),
      buildSystem: new InMemoryBuildSystem(),
    }).execute();
    expect(report).toEqual({
      ok: true,
      status: 200,
      services: {
        quay: { ok: true, details: 'It works!' },
        koji: { ok: true, details: 'It works!' },
        greenwave: null,
      },
    });
  });

  it('reports the failing upstream with its reason and 503', async () => {
    const buildSystem = new InMemoryBuildSystem();
    buildSystem.unavailable = 'Cannot connect to Koji hub';
    const gate = new InMemoryPolicyGate();
    const report = await new CheckHealth({
      registry: new InMemoryRegistry(),
      buildSystem,
      policyGate: gate,
    }).execute();
    expect(report.ok).toBe(false);
    expect(report.status).toBe(503);
    expect(report.services.koji).toEqual({ ok: false, details: 'Cannot connect to Koji hub' });
    expect(report.services.greenwave).toEqual({ ok: true, details: 'It works!' });
  });

  it('names a failing bundle registry by its host only: never its path, query or the platform message', async () => {
    const refused = Object.assign(
      new Error('connect ECONNREFUSED https://registry.example:5000/mirror?k=s3cr3t'),
      {
        code: 'ECONNREFUSED',
      },
    );
    const report = await new CheckHealth({
      registry: new InMemoryRegistry(),
      buildSystem: new InMemoryBuildSystem(),
      bundleRegistries: {
        imageRegistry: new OciImageRegistry({
          fetch: (url) =>
            url.startsWith('https://ok.example/')
              ? Promise.resolve(new Response('{}'))
              : Promise.reject(refused),
          retryDelayMs: 1,
        }),
        urls: ['https://ok.example', 'https://registry.example:5000/mirror?k=s3cr3t'],
      },
    }).execute();
    expect(report.status).toBe(503);
    expect(report.services.bundle_registry).toEqual({
      ok: false,
      details: 'registry.example:5000: Could not connect to the registry (ECONNREFUSED)',
    });
  });

  it('asks upstreams concurrently', async () => {
    let inFlight = 0;
    let most = 0;
    const slow = async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
    };
    const registry = Object.assign(new InMemoryRegistry(), { ping: slow });
    const buildSystem = Object.assign(new InMemoryBuildSystem(), { ping: slow });
    const policyGate = Object.assign(new InMemoryPolicyGate(), { ping: slow });
    await new CheckHealth({ registry, buildSystem, policyGate }).execute();
    expect(most).toBe(3);
  });

  describe('never waits longer than the cap for an upstream', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('answers 503 with a "timed out" detail for the silent upstream only, and aborts its ping', async () => {
      const hanging = hangingPing();
      const registry = Object.assign(new InMemoryRegistry(), { ping: hanging.ping });
      const report = await new CheckHealth({
        registry,
        buildSystem: new InMemoryBuildSystem(),
        pingTimeoutMs: 50,
      }).execute();
      expect(report.status).toBe(503);
      expect(report.services.quay).toEqual({ ok: false, details: 'Timed out: no answer within 50 ms' });
      expect(report.services.koji).toEqual({ ok: true, details: 'It works!' });
      expect(hanging.signals[0]!.aborted).toBe(true);
    });

    it('reports the time-out even when the aborted ping then fails with its own reason', async () => {
      const registry = Object.assign(new InMemoryRegistry(), {
        ping: (signal?: AbortSignal) =>
          new Promise<void>((_, reject) => {
            signal!.addEventListener('abort', () => reject(new Error('connection reset')));
          }),
      });
      const report = await new CheckHealth({
        registry,
        buildSystem: new InMemoryBuildSystem(),
        pingTimeoutMs: 20,
      }).execute();
      expect(report.services.quay.details).toBe('Timed out: no answer within 20 ms');
    });

    it('waits 10 s by default, not a moment less', async () => {
      vi.useFakeTimers();
      const hanging = hangingPing();
      const buildSystem = Object.assign(new InMemoryBuildSystem(), { ping: hanging.ping });
      let report: Awaited<ReturnType<CheckHealth['execute']>> | undefined;
      void new CheckHealth({ registry: new InMemoryRegistry(), buildSystem }).execute().then((r) => {
        report = r;
      });
      await vi.advanceTimersByTimeAsync(9_999);
      expect(report).toBeUndefined();
      expect(hanging.signals[0]!.aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(HEALTH_PING_TIMEOUT_MS).toBe(10_000);
      expect(report?.status).toBe(503);
      expect(report?.services.koji).toEqual({ ok: false, details: 'Timed out: no answer within 10 s' });
    });
  });
});

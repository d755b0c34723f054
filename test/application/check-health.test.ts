import { describe, expect, it } from 'vitest';
import { InMemoryBuildSystem } from '../../src/adapters/memory/in-memory-build-system.js';
import { InMemoryPolicyGate } from '../../src/adapters/memory/in-memory-policy-gate.js';
import { InMemoryRegistry } from '../../src/adapters/memory/in-memory-registry.js';
import { CheckHealth } from '../../src/application/check-health.js';

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
});

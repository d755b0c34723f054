import { describe, expect, it } from 'vitest';
import { InMemoryBuildSystem } from '../../src/adapters/memory/in-memory-build-system.js';
import { InMemoryImageRegistry } from '../../src/adapters/memory/in-memory-image-registry.js';
import { InMemoryRegistry } from '../../src/adapters/memory/in-memory-registry.js';
import { silentLogger } from '../../src/application/ports.js';
import { parseConfig } from '../../src/infrastructure/config.js';
import { createService } from '../../src/infrastructure/container.js';
import { ServiceMetrics } from '../../src/infrastructure/metrics/service-metrics.js';
import { multipart, zipOf } from '../support/bundles.js';
import { nestedOperator } from '../support/operator-versions.js';

describe('metrics: bundle-image registry calls', () => {
  it('times every session call and ping as upstream "oci_registry"', async () => {
    const service = new ServiceMetrics(new Set(['imgs']));
    const app = createService(
      parseConfig({ organizations: { imgs: { bundle_images: { registry: 'https://r.example.com' } } } }),
      {
        registry: new InMemoryRegistry(),
        imageRegistry: new InMemoryImageRegistry(),
        buildSystem: new InMemoryBuildSystem(),
        policyGate: null,
        logger: silentLogger,
        metrics: { service, render: () => service.registry.metrics() },
      },
    );
    const zip = zipOf(Object.fromEntries(nestedOperator(['1.0.0']).map((f) => [f.path, f.data])));
    const res = await app.request('/v2/imgs/zipfile', {
      method: 'POST',
      headers: { Authorization: 'Basic x' },
      body: multipart(zip),
    });
    expect(res.status).toBe(200);
    await app.request('/v2/health/ping');
    const text = await (await app.request('/metrics')).text();
    for (const operation of ['manifest', 'push', 'ping']) {
      expect(text).toContain(
        `omps_upstream_call_duration_seconds_count{upstream="oci_registry",operation="${operation}",outcome="ok"} 1`,
      );
    }
  });
});

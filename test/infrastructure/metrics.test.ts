import { describe, expect, it } from 'vitest';
import { InMemoryBuildSystem } from '../../src/adapters/memory/in-memory-build-system.js';
import { InMemoryRegistry } from '../../src/adapters/memory/in-memory-registry.js';
import { silentLogger } from '../../src/application/ports.js';
import { parseConfig } from '../../src/infrastructure/config.js';
import { createService } from '../../src/infrastructure/container.js';
import { MetricsRegistry } from '../../src/infrastructure/metrics/registry.js';
import { ServiceMetrics } from '../../src/infrastructure/metrics/service-metrics.js';
import { multipart, sampleZip } from '../support/bundles.js';

function appWithMetrics() {
  const service = new ServiceMetrics(new Set(['known-org']));
  const config = parseConfig({ organizations: { 'known-org': {} } });
  const app = createService(config, {
    registry: new InMemoryRegistry(),
    buildSystem: new InMemoryBuildSystem(),
    policyGate: null,
    logger: silentLogger,
    metrics: { service, render: async () => MetricsRegistry.render(service.registry.snapshot()) },
  });
  return app;
}

describe('metrics', () => {
  it('renders counters and histograms in the Prometheus text format', () => {
    const r = new MetricsRegistry();
    r.counter('c_total', 'A counter.').inc({ a: 'x"y' }, 2);
    r.histogram('h_seconds', 'A histogram.', [0.1, 1]).observe({ op: 'p' }, 0.5);
    const text = MetricsRegistry.render(r.snapshot());
    expect(text).toContain('# TYPE c_total counter\nc_total{a="x\\"y"} 2');
    expect(text).toContain('h_seconds_bucket{op="p",le="0.1"} 0');
    expect(text).toContain('h_seconds_bucket{op="p",le="1"} 1');
    expect(text).toContain('h_seconds_bucket{op="p",le="+Inf"} 1');
    expect(text).toContain('h_seconds_count{op="p"} 1');
  });

  it('merges worker snapshots by summing', () => {
    const a = new MetricsRegistry();
    const b = new MetricsRegistry();
    a.counter('c_total', 'c').inc({ k: '1' }, 2);
    b.counter('c_total', 'c').inc({ k: '1' }, 3);
    b.counter('c_total', 'c').inc({ k: '2' });
    const text = MetricsRegistry.render(MetricsRegistry.merge([a.snapshot(), b.snapshot()]));
    expect(text).toContain('c_total{k="1"} 5');
    expect(text).toContain('c_total{k="2"} 1');
  });

  it('/metrics counts requests by route pattern, publishes by outcome, upstream calls and inflated bytes', async () => {
    const app = appWithMetrics();
    const auth = { Authorization: 'a-secret-token' };
    await app.request('/v2/known-org/zipfile', {
      method: 'POST',
      body: multipart(sampleZip()),
      headers: auth,
    });
    await app.request('/v2/random-org-123/zipfile', {
      method: 'POST',
      body: multipart(sampleZip()),
      headers: auth,
    });
    await app.request('/v2/known-org/zipfile/1.0', {
      method: 'POST',
      body: multipart(sampleZip()),
      headers: auth,
    });
    await app.request('/nowhere/at/all');
    const res = await app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('omps_http_requests_total{method="POST",route="/v2/:org/zipfile",status="200"} 2');
    expect(text).toContain('omps_http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(text).toContain('omps_publish_total{outcome="success",organization="known-org"} 1');
    expect(text).toContain('omps_publish_total{outcome="success",organization="other"} 1');
    expect(text).toContain(
      'omps_publish_total{outcome="OMPSInvalidVersionFormat",organization="known-org"} 1',
    );
    expect(text).toMatch(
      /omps_upstream_call_duration_seconds_count\{upstream="quay",operation="push",outcome="ok"\} 2/,
    );
    expect(text).toMatch(/omps_archive_inflated_bytes_total [1-9]\d*/);
    expect(text).not.toContain('random-org-123');
    expect(text).not.toContain('a-secret-token');
  });
});

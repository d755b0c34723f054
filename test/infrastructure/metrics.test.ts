import { AggregatorRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { InMemoryBuildSystem } from '../../src/adapters/memory/in-memory-build-system.js';
import { InMemoryRegistry } from '../../src/adapters/memory/in-memory-registry.js';
import { silentLogger } from '../../src/application/ports.js';
import { parseConfig } from '../../src/infrastructure/config.js';
import { createService } from '../../src/infrastructure/container.js';
import { nodeMetrics } from '../../src/infrastructure/metrics/node-metrics.js';
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
    metrics: { service, render: () => service.registry.metrics() },
  });
  return app;
}

describe('metrics', () => {
  it("sums the workers' metrics as the cluster's answer does, label set by label set", async () => {
    const a = new ServiceMetrics(new Set(['o']));
    const b = new ServiceMetrics(new Set(['o']));
    const request = {
      method: 'POST',
      route: '/v2/:org/zipfile',
      status: 200,
      organization: 'o',
      seconds: 0.02,
    };
    a.observeRequest(request);
    a.observeRequest(request);
    b.observeRequest(request);
    b.observeRequest({ ...request, status: 400, errorId: 'PackageValidationError', seconds: 2 });
    const text = await AggregatorRegistry.aggregate([
      await a.registry.getMetricsAsJSON(),
      await b.registry.getMetricsAsJSON(),
    ]).metrics();
    expect(text).toContain('omps_http_requests_total{method="POST",route="/v2/:org/zipfile",status="200"} 3');
    expect(text).toContain('omps_http_requests_total{method="POST",route="/v2/:org/zipfile",status="400"} 1');
    expect(text).toContain('omps_publish_total{outcome="success",organization="o"} 3');
    expect(text).toContain(
      'omps_http_request_duration_seconds_bucket{le="0.025",route="/v2/:org/zipfile"} 3',
    );
    expect(text).toContain('omps_http_request_duration_seconds_count{route="/v2/:org/zipfile"} 4');
  });

  it("serves Node's process metrics and this process's event-loop lag beside the service's", async () => {
    const metrics = nodeMetrics(['o']);
    metrics.service.observeRequest({ method: 'GET', route: '/v2/about', status: 200, seconds: 0.001 });
    const text = await metrics.render();
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(text).toMatch(new RegExp(`^${name} \\d`, 'm'));
    }
    expect(text).toMatch(/^omps_event_loop_lag_seconds\{worker="0"\} \d/m);
    expect(text).toContain('omps_http_requests_total{method="GET",route="/v2/about",status="200"} 1');
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

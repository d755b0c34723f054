/**
 * What OMPS measures, and the port decorators that measure it: requests by
 * route and status, publish outcomes by error id, upstream call latency by
 * upstream/operation/outcome, bytes inflated from archives.
 */
import type { RequestObservation } from '../../adapters/http/request-log.js';
import type {
  BuildSystem,
  BundleEngine,
  ImageRegistry,
  PolicyGate,
  Registry,
} from '../../application/ports.js';
import { OmpsError } from '../../domain/errors.js';
import { MetricsRegistry } from './registry.js';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class ServiceMetrics {
  readonly registry = new MetricsRegistry();
  private readonly requests = this.registry.counter(
    'omps_http_requests_total',
    'HTTP requests by route, method and status.',
  );
  private readonly requestSeconds = this.registry.histogram(
    'omps_http_request_duration_seconds',
    'HTTP request duration by route.',
    LATENCY_BUCKETS,
  );
  private readonly publishes = this.registry.counter(
    'omps_publish_total',
    'Publish outcomes: "success" or the error id; organization only for configured organizations.',
  );
  private readonly upstream = this.registry.histogram(
    'omps_upstream_call_duration_seconds',
    'Upstream call latency by upstream, operation and outcome ("ok" or the error id).',
    LATENCY_BUCKETS,
  );
  private readonly inflated = this.registry.counter(
    'omps_archive_inflated_bytes_total',
    'Bytes inflated from archives.',
  );
  readonly eventLoopLag = this.registry.gauge(
    'omps_event_loop_lag_seconds',
    'Event-loop delay (p99 over the last interval) per worker.',
  );

  constructor(private readonly configuredOrganizations: ReadonlySet<string>) {}

  observeRequest(o: RequestObservation): void {
    this.requests.inc({ method: o.method, route: o.route, status: String(o.status) });
    this.requestSeconds.observe({ route: o.route }, o.seconds);
    if (o.method === 'POST' && /\/(zipfile|koji)\b/.test(o.route)) {
      const org =
        o.organization && this.configuredOrganizations.has(o.organization) ? o.organization : 'other';
      this.publishes.inc({ outcome: o.errorId ?? (o.status < 400 ? 'success' : 'error'), organization: org });
    }
  }

  instrumentRegistry(inner: Registry): Registry {
    return {
      releases: (o, r, t) => this.time('quay', 'releases', () => inner.releases(o, r, t)),
      push: (req) => this.time('quay', 'push', () => inner.push(req)),
      deleteRelease: (o, r, v, t) => this.time('quay', 'delete', () => inner.deleteRelease(o, r, v, t)),
      makePublic: (o, r, t) => this.time('quay', 'publish', () => inner.makePublic(o, r, t)),
      ping: (signal) => this.time('quay', 'ping', () => inner.ping(signal)),
    };
  }

  instrumentImageRegistry(inner: ImageRegistry): ImageRegistry {
    const time = <T>(operation: string, call: () => Promise<T>) => this.time('oci_registry', operation, call);
    return {
      session: (registry, token) => {
        const session = inner.session(registry, token);
        return {
          manifestDigest: (r, tag) => time('manifest', () => session.manifestDigest(r, tag)),
          pushImage: (r, tag, image) => time('push', () => session.pushImage(r, tag, image)),
          tags: (r) => time('tags', () => session.tags(r)),
          deleteTag: (r, tag) => time('delete', () => session.deleteTag(r, tag)),
        };
      },
      authenticate: (registry, token) => time('authenticate', () => inner.authenticate(registry, token)),
      ping: (registry, signal) => time('ping', () => inner.ping(registry, signal)),
    };
  }

  instrumentBuildSystem(inner: BuildSystem): BuildSystem {
    return {
      locateManifests: (nvr) => this.time('koji', 'locate', () => inner.locateManifests(nvr)),
      download: (loc, max) => this.time('koji', 'download', () => inner.download(loc, max)),
      ping: (signal) => this.time('koji', 'ping', () => inner.ping(signal)),
    };
  }

  instrumentPolicyGate(inner: PolicyGate): PolicyGate {
    return {
      check: (nvr) => this.time('greenwave', 'decision', () => inner.check(nvr)),
      ping: (signal) => this.time('greenwave', 'ping', () => inner.ping(signal)),
    };
  }

  instrumentEngine(inner: BundleEngine): BundleEngine {
    return {
      prepare: async (job) => {
        const work = await inner.prepare(job);
        this.inflated.inc({}, work.inflatedBytes);
        return work;
      },
    };
  }

  private async time<T>(upstream: string, operation: string, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    let outcome = 'ok';
    try {
      return await call();
    } catch (error) {
      outcome = error instanceof OmpsError ? error.id : 'error';
      throw error;
    } finally {
      this.upstream.observe({ upstream, operation, outcome }, (performance.now() - started) / 1000);
    }
  }
}

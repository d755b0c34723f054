/**
 * What OMPS measures, and the port decorators that measure it: requests by
 * route and status, publish outcomes by error id, upstream call latency by
 * upstream/operation/outcome, bytes inflated from archives. The metrics are
 * prom-client's, in a registry of their own (node-metrics.ts adds the process
 * metrics and the cluster's sum).
 */

import { Counter, Histogram, Registry as MetricRegistry } from 'prom-client';
import type { RequestObservation } from '../../adapters/http/request-log.js';
import type {
  BuildSystem,
  BundleEngine,
  CatalogRegistry,
  ImageRegistry,
  PolicyGate,
  Registry,
} from '../../application/ports.js';
import { OmpsError } from '../../domain/errors.js';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class ServiceMetrics {
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly requestSeconds: Histogram<'route'>;
  private readonly publishes: Counter<'outcome' | 'organization'>;
  private readonly upstream: Histogram<'upstream' | 'operation' | 'outcome'>;
  private readonly inflated: Counter;
  private readonly catalogUpdates: Counter<'outcome'>;
  private readonly catalogSeconds: Histogram<'outcome'>;

  constructor(
    private readonly configuredOrganizations: ReadonlySet<string>,
    readonly registry: MetricRegistry = new MetricRegistry(),
  ) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'omps_http_requests_total',
      help: 'HTTP requests by route, method and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: 'omps_http_request_duration_seconds',
      help: 'HTTP request duration by route.',
      labelNames: ['route'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.publishes = new Counter({
      name: 'omps_publish_total',
      help: 'Publish outcomes: "success" or the error id; organization only for configured organizations.',
      labelNames: ['outcome', 'organization'],
      registers,
    });
    this.upstream = new Histogram({
      name: 'omps_upstream_call_duration_seconds',
      help: 'Upstream call latency by upstream, operation and outcome ("ok" or the error id).',
      labelNames: ['upstream', 'operation', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.inflated = new Counter({
      name: 'omps_archive_inflated_bytes_total',
      help: 'Bytes inflated from archives.',
      registers,
    });
    this.catalogUpdates = new Counter({
      name: 'omps_catalog_updates_total',
      help: 'Catalog writes (SPEC §11) by outcome: "updated", "unchanged" or "failed".',
      labelNames: ['outcome'],
      registers,
    });
    this.catalogSeconds = new Histogram({
      name: 'omps_catalog_update_duration_seconds',
      help: 'Time to write a catalog (the read-modify-write of its tag, retries included), by outcome.',
      labelNames: ['outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
  }

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

  instrumentCatalogRegistry(inner: CatalogRegistry): CatalogRegistry {
    const time = <T>(operation: string, call: () => Promise<T>) => this.time('oci_registry', operation, call);
    return {
      session: (registry, token) => {
        const session = inner.session(registry, token);
        return {
          bundles: (r) => time('catalog_bundles', () => session.bundles(r)),
          catalogDigest: (r, tag) => time('catalog_digest', () => session.catalogDigest(r, tag)),
          readCatalog: (r, tag) => time('catalog_read', () => session.readCatalog(r, tag)),
          resolveBase: (ref) => time('catalog_base', () => session.resolveBase(ref)),
          pushCatalog: (r, tag, configs, base, expected) =>
            time('catalog_push', () => session.pushCatalog(r, tag, configs, base, expected)),
        };
      },
    };
  }

  /** What UpdateCatalog reports of each catalog write. */
  catalogObserver(): (outcome: 'updated' | 'unchanged' | 'failed', seconds: number) => void {
    return (outcome, seconds) => {
      this.catalogUpdates.inc({ outcome });
      this.catalogSeconds.observe({ outcome }, seconds);
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
        this.inflated.inc(work.inflatedBytes);
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

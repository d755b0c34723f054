/**
 * CheckHealth: asks every configured upstream at once; 200 when all answer,
 * 503 otherwise. No ping is waited for longer than `pingTimeoutMs` (10 s),
 * whatever `request_timeout` says: a liveness probe must get its answer in
 * time. The cap lives here, for every adapter; an adapter whose own
 * `request_timeout` is shorter gives up sooner by itself.
 */
import { formatDuration } from '../domain/values.js';
import type { BuildSystem, ImageRegistry, PolicyGate, Registry } from './ports.js';

export interface ServiceHealth {
  ok: boolean;
  details: string;
}

export interface HealthReport {
  ok: boolean;
  status: 200 | 503;
  services: {
    quay: ServiceHealth;
    koji: ServiceHealth;
    greenwave: ServiceHealth | null;
    /** Only when some organization publishes bundle images (SPEC §10): every such registry answers `GET /v2/`. */
    bundle_registry?: ServiceHealth;
  };
}

/** The longest a health check waits for one upstream. */
export const HEALTH_PING_TIMEOUT_MS = 10_000;

const IT_WORKS = 'It works!';

type Ping = (signal: AbortSignal) => Promise<void>;

export class CheckHealth {
  private readonly pingTimeoutMs: number;

  constructor(
    private readonly deps: {
      registry: Registry;
      buildSystem: BuildSystem;
      policyGate?: PolicyGate;
      /** The image registry and the base URLs of every bundle_images registry configured. */
      bundleRegistries?: { imageRegistry: ImageRegistry; urls: readonly string[] };
      /** HEALTH_PING_TIMEOUT_MS by default. */
      pingTimeoutMs?: number;
    },
  ) {
    this.pingTimeoutMs = deps.pingTimeoutMs ?? HEALTH_PING_TIMEOUT_MS;
  }

  async execute(): Promise<HealthReport> {
    const { registry, buildSystem, policyGate, bundleRegistries } = this.deps;
    const images = bundleRegistries?.urls.length ? bundleRegistries : undefined;
    const [quay, koji, greenwave, bundle] = await Promise.all([
      this.probe((signal) => registry.ping(signal)),
      this.probe((signal) => buildSystem.ping(signal)),
      policyGate ? this.probe((signal) => policyGate.ping(signal)) : Promise.resolve(null),
      images
        ? this.probe((signal) => pingAll(images.imageRegistry, images.urls, signal))
        : Promise.resolve(undefined),
    ]);
    const ok = quay.ok && koji.ok && (greenwave?.ok ?? true) && (bundle?.ok ?? true);
    const services = { quay, koji, greenwave, ...(bundle ? { bundle_registry: bundle } : {}) };
    return { ok, status: ok ? 200 : 503, services };
  }

  private async probe(ping: Ping): Promise<ServiceHealth> {
    const limit = this.pingTimeoutMs;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new Error(`Timed out: no answer within ${formatDuration(limit)}`);
        reject(error); // settled first, so the report says why, whatever the aborted ping then throws
        controller.abort(error);
      }, limit);
    });
    try {
      await Promise.race([Promise.resolve().then(() => ping(controller.signal)), timedOut]);
      return { ok: true, details: IT_WORKS };
    } catch (error) {
      const reason = error instanceof Error && error.message ? error.message : 'Cannot connect!';
      return { ok: false, details: reason };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Every registry at once; the first failure's reason names its registry. */
async function pingAll(
  imageRegistry: ImageRegistry,
  urls: readonly string[],
  signal: AbortSignal,
): Promise<void> {
  const outcomes = await Promise.allSettled(urls.map((url) => imageRegistry.ping(url, signal)));
  const index = outcomes.findIndex((o) => o.status === 'rejected');
  if (index < 0) return;
  const reason = (outcomes[index] as PromiseRejectedResult).reason;
  throw new Error(`${hostOf(urls[index]!)}: ${reason instanceof Error ? reason.message : String(reason)}`);
}

/** The health answer is not authenticated: it names a registry by its host, never its whole URL. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'a bundle registry';
  }
}

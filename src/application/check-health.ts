/** CheckHealth: asks every configured upstream at once; 200 when all answer, 503 otherwise. */
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

const IT_WORKS = 'It works!';

export class CheckHealth {
  constructor(
    private readonly deps: {
      registry: Registry;
      buildSystem: BuildSystem;
      policyGate?: PolicyGate;
      /** The image registry and the base URLs of every bundle_images registry configured. */
      bundleRegistries?: { imageRegistry: ImageRegistry; urls: readonly string[] };
    },
  ) {}

  async execute(): Promise<HealthReport> {
    const { registry, buildSystem, policyGate, bundleRegistries } = this.deps;
    const images = bundleRegistries?.urls.length ? bundleRegistries : undefined;
    const [quay, koji, greenwave, bundle] = await Promise.all([
      probe(() => registry.ping()),
      probe(() => buildSystem.ping()),
      policyGate ? probe(() => policyGate.ping()) : Promise.resolve(null),
      images ? probe(() => pingAll(images.imageRegistry, images.urls)) : Promise.resolve(undefined),
    ]);
    const ok = quay.ok && koji.ok && (greenwave?.ok ?? true) && (bundle?.ok ?? true);
    const services = { quay, koji, greenwave, ...(bundle ? { bundle_registry: bundle } : {}) };
    return { ok, status: ok ? 200 : 503, services };
  }
}

/** Every registry at once; the first failure's reason names its registry. */
async function pingAll(imageRegistry: ImageRegistry, urls: readonly string[]): Promise<void> {
  const outcomes = await Promise.allSettled(urls.map((url) => imageRegistry.ping(url)));
  const index = outcomes.findIndex((o) => o.status === 'rejected');
  if (index < 0) return;
  const reason = (outcomes[index] as PromiseRejectedResult).reason;
  throw new Error(`${urls[index]}: ${reason instanceof Error ? reason.message : String(reason)}`);
}

async function probe(ping: () => Promise<void>): Promise<ServiceHealth> {
  try {
    await ping();
    return { ok: true, details: IT_WORKS };
  } catch (error) {
    const reason = error instanceof Error && error.message ? error.message : 'Cannot connect!';
    return { ok: false, details: reason };
  }
}

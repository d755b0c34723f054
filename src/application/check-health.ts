/** CheckHealth: asks every configured upstream at once; 200 when all answer, 503 otherwise. */
import type { BuildSystem, PolicyGate, Registry } from './ports.js';

export interface ServiceHealth {
  ok: boolean;
  details: string;
}

export interface HealthReport {
  ok: boolean;
  status: 200 | 503;
  services: { quay: ServiceHealth; koji: ServiceHealth; greenwave: ServiceHealth | null };
}

const IT_WORKS = 'It works!';

export class CheckHealth {
  constructor(
    private readonly deps: { registry: Registry; buildSystem: BuildSystem; policyGate?: PolicyGate },
  ) {}

  async execute(): Promise<HealthReport> {
    const { registry, buildSystem, policyGate } = this.deps;
    const [quay, koji, greenwave] = await Promise.all([
      probe(() => registry.ping()),
      probe(() => buildSystem.ping()),
      policyGate ? probe(() => policyGate.ping()) : Promise.resolve(null),
    ]);
    const ok = quay.ok && koji.ok && (greenwave?.ok ?? true);
    return { ok, status: ok ? 200 : 503, services: { quay, koji, greenwave } };
  }
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

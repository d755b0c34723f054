/** The whole app on in-memory upstreams, for HTTP tests through app.request(). */
import { expect } from 'vitest';
import { InMemoryBuildSystem } from '../../src/adapters/memory/in-memory-build-system.js';
import { InMemoryPolicyGate } from '../../src/adapters/memory/in-memory-policy-gate.js';
import { InMemoryRegistry } from '../../src/adapters/memory/in-memory-registry.js';
import type { Logger } from '../../src/application/ports.js';
import { parseConfig } from '../../src/infrastructure/config.js';
import { createService } from '../../src/infrastructure/container.js';
import { createLogger } from '../../src/infrastructure/logger.js';

const GREENWAVE = { url: 'http://greenwave.test', context: 'osbs_push', product_version: 'cvp' };

/** Greenwave is configured (and served by the in-memory gate) unless the config says `greenwave: null`. */
export function makeHttpApp(overrides: Record<string, unknown> = {}) {
  const rawConfig: Record<string, unknown> = { greenwave: GREENWAVE, ...overrides };
  if (rawConfig.greenwave === null) delete rawConfig.greenwave;
  const registry = new InMemoryRegistry({ authorize: (token) => token !== 'bad-token' });
  const buildSystem = new InMemoryBuildSystem();
  const policyGate = new InMemoryPolicyGate();
  const logLines: string[] = [];
  const logger: Logger = createLogger('DEBUG', (line) => logLines.push(line));
  const config = parseConfig(rawConfig);
  const app = createService(config, {
    registry,
    buildSystem,
    policyGate: config.greenwave ? policyGate : null,
    logger,
  });
  return { app, registry, buildSystem, policyGate, logLines, config };
}

export const AUTH = { Authorization: 'secret-token-123' };

export async function json(res: Response): Promise<Record<string, unknown>> {
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  return (await res.json()) as Record<string, unknown>;
}

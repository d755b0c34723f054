/**
 * How many bundle threads a Node process runs and how many publishes
 * may wait for one: BUNDLE_THREADS (default: the cores, shared among the
 * WORKERS processes) and BUNDLE_QUEUE (default: 8 per thread).
 */
import { availableParallelism } from 'node:os';

export interface BundleThreads {
  size: number;
  queueLimit: number;
}

export function bundleThreads(env: NodeJS.ProcessEnv, processes = 1): BundleThreads {
  const size =
    whole(env, 'BUNDLE_THREADS', 1, 256) ?? Math.max(1, Math.ceil(availableParallelism() / processes));
  const queueLimit = whole(env, 'BUNDLE_QUEUE', 0, 100_000) ?? 8 * size;
  return { size, queueLimit };
}

function whole(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max)
    throw new Error(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  return n;
}

/**
 * Optional processes on Node: with WORKERS > 1 the primary forks that many
 * processes that share the port, restarts one that dies, and on SIGTERM/SIGINT
 * lets every worker finish its in-flight requests. The default is one process:
 * bundle work already runs on every core in bundle threads (bundle-threads.ts),
 * and each extra process costs its own heap.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../application/ports.js';
import { serveClusterMetrics } from './metrics/node-metrics.js';

export function clusterWorkerCount(env: NodeJS.ProcessEnv): number {
  const raw = env.WORKERS;
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw new Error(`WORKERS must be a whole number from 1 to 256, not "${raw}"`);
  return n;
}

/** Runs `serve` in `count` cluster worker processes (or in this process when count is 1). */
export async function runClustered(count: number, logger: Logger, serve: () => Promise<void>): Promise<void> {
  if (count <= 1 || cluster.isWorker) {
    await serve();
    return;
  }
  let stopping = false;
  const quickDeaths: number[] = [];
  const started = new Map<Worker, number>();
  const fork = () => started.set(cluster.fork(), Date.now());

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (started.get(worker) ?? 0);
    started.delete(worker);
    if (stopping) {
      if (started.size === 0) process.exit(0);
      return;
    }
    logger.error('worker died; starting another', { pid: worker.process.pid, code, signal });
    // A worker that cannot even start (port taken, bad environment) would be restarted forever.
    if (lived < 2000) quickDeaths.push(Date.now());
    while (quickDeaths.length && Date.now() - quickDeaths[0]! > 10_000) quickDeaths.shift();
    if (quickDeaths.length >= 5) {
      logger.error('workers keep dying at start-up; giving up', {});
      stopping = true;
      for (const w of started.keys()) w.kill('SIGTERM');
      process.exitCode = 1;
      if (started.size === 0) process.exit(1);
      return;
    }
    fork();
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down workers', { signal });
    for (const w of started.keys()) w.process.kill(signal);
    setTimeout(() => process.exit(0), 15_000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  serveClusterMetrics();
  logger.info('starting workers', { workers: count });
  for (let i = 0; i < count; i++) fork();
}

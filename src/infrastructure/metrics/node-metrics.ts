/**
 * Metrics on Node: the event-loop lag of this process, and — under
 * node:cluster — one /metrics answer summed over every worker (the worker
 * that gets the scrape asks the primary, which collects all snapshots).
 */
import cluster from 'node:cluster';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { MetricsRegistry, type Snapshot } from './registry.js';
import { ServiceMetrics } from './service-metrics.js';

type Message =
  | { omps: 'metrics-request'; id: number }
  | { omps: 'metrics-collect'; id: number }
  | { omps: 'metrics-snapshot'; id: number; snapshot: Snapshot }
  | { omps: 'metrics-reply'; id: number; snapshot: Snapshot };

const isMessage = (m: unknown): m is Message => typeof m === 'object' && m !== null && 'omps' in m;

export interface NodeMetrics {
  service: ServiceMetrics;
  render(): Promise<string>;
}

/** In a worker (or a single process): this process's metrics, answered for the whole cluster. */
export function nodeMetrics(configuredOrganizations: Iterable<string>): NodeMetrics {
  const service = new ServiceMetrics(new Set(configuredOrganizations));
  const worker = String(cluster.worker?.id ?? 0);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const sampleLag = () => {
    service.eventLoopLag.set({ worker }, delay.percentile(99) / 1e9);
    delay.reset();
  };
  setInterval(sampleLag, 5000).unref();

  const pending = new Map<number, (s: Snapshot) => void>();
  let nextId = 1;
  if (cluster.isWorker) {
    process.on('message', (m: unknown) => {
      if (!isMessage(m)) return;
      if (m.omps === 'metrics-collect') {
        sampleLag();
        process.send?.({ omps: 'metrics-snapshot', id: m.id, snapshot: service.registry.snapshot() });
      } else if (m.omps === 'metrics-reply') {
        pending.get(m.id)?.(m.snapshot);
        pending.delete(m.id);
      }
    });
  }

  const local = () => {
    sampleLag();
    return service.registry.snapshot();
  };

  return {
    service,
    async render() {
      if (!cluster.isWorker || !process.send) return MetricsRegistry.render(local());
      const id = nextId++;
      const whole = await new Promise<Snapshot>((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve(local());
        }, 3000);
        pending.set(id, (s) => {
          clearTimeout(timer);
          resolve(s);
        });
        process.send?.({ omps: 'metrics-request', id });
      });
      return MetricsRegistry.render(whole);
    },
  };
}

/** In the primary: answers a worker's metrics request with every worker's snapshot summed. */
export function serveClusterMetrics(): void {
  let nextCollect = 1;
  cluster.on('message', (from, m: unknown) => {
    if (!isMessage(m) || m.omps !== 'metrics-request') return;
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w?.isConnected());
    const id = nextCollect++;
    const snapshots: Snapshot[] = [];
    let answered = false;
    const answer = () => {
      if (answered) return;
      answered = true;
      cluster.off('message', collect);
      if (from.isConnected())
        from.send({ omps: 'metrics-reply', id: m.id, snapshot: MetricsRegistry.merge(snapshots) });
    };
    const collect = (_w: unknown, r: unknown) => {
      if (!isMessage(r) || r.omps !== 'metrics-snapshot' || r.id !== id) return;
      snapshots.push(r.snapshot);
      if (snapshots.length >= workers.length) answer();
    };
    cluster.on('message', collect);
    setTimeout(answer, 2000).unref();
    for (const w of workers) w?.send({ omps: 'metrics-collect', id });
  });
}

/**
 * A small Prometheus registry: counters, gauges and histograms with fixed
 * label sets, rendered in the text exposition format. Samples can be exported
 * and merged, so a cluster's workers can be summed into one answer.
 */
export type Labels = Record<string, string>;

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  buckets?: number[];
  /** key = serialized labels */
  series: Map<string, { labels: Labels; value: number; counts?: number[]; sum?: number }>;
}

export interface Snapshot {
  families: {
    name: string;
    help: string;
    type: Family['type'];
    buckets?: number[];
    series: { labels: Labels; value: number; counts?: number[]; sum?: number }[];
  }[];
}

const keyOf = (labels: Labels) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));

export class MetricsRegistry {
  private readonly families = new Map<string, Family>();

  counter(name: string, help: string) {
    const f = this.family(name, help, 'counter');
    return { inc: (labels: Labels = {}, by = 1) => this.add(f, labels, by) };
  }

  gauge(name: string, help: string) {
    const f = this.family(name, help, 'gauge');
    return { set: (labels: Labels, value: number) => (this.series(f, labels).value = value) };
  }

  histogram(name: string, help: string, buckets: number[]) {
    const f = this.family(name, help, 'histogram', buckets);
    return {
      observe: (labels: Labels, value: number) => {
        const s = this.series(f, labels);
        s.counts ??= buckets.map(() => 0);
        s.sum = (s.sum ?? 0) + value;
        s.value += 1;
        buckets.forEach((b, i) => {
          if (value <= b) s.counts![i]!++;
        });
      },
    };
  }

  snapshot(): Snapshot {
    return {
      families: [...this.families.values()].map((f) => ({
        name: f.name,
        help: f.help,
        type: f.type,
        ...(f.buckets ? { buckets: f.buckets } : {}),
        series: [...f.series.values()].map((s) => ({
          ...s,
          labels: { ...s.labels },
          ...(s.counts ? { counts: [...s.counts] } : {}),
        })),
      })),
    };
  }

  /** Adds another registry's samples into a fresh snapshot (counters and histograms sum; gauges keep their labels). */
  static merge(snapshots: Snapshot[]): Snapshot {
    const merged = new MetricsRegistry();
    for (const snap of snapshots) {
      for (const f of snap.families) {
        const family = merged.family(f.name, f.help, f.type, f.buckets);
        for (const s of f.series) {
          const target = merged.series(family, s.labels);
          target.value += s.value;
          if (s.counts) {
            target.counts ??= s.counts.map(() => 0);
            s.counts.forEach((c, i) => {
              target.counts![i]! += c;
            });
            target.sum = (target.sum ?? 0) + (s.sum ?? 0);
          }
        }
      }
    }
    return merged.snapshot();
  }

  static render(snapshot: Snapshot): string {
    const lines: string[] = [];
    for (const f of snapshot.families) {
      lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
      for (const s of f.series) {
        if (f.type !== 'histogram') {
          lines.push(`${f.name}${fmt(s.labels)} ${s.value}`);
          continue;
        }
        f.buckets!.forEach((b, i) => {
          lines.push(`${f.name}_bucket${fmt({ ...s.labels, le: String(b) })} ${s.counts?.[i] ?? 0}`);
        });
        lines.push(`${f.name}_bucket${fmt({ ...s.labels, le: '+Inf' })} ${s.value}`);
        lines.push(
          `${f.name}_sum${fmt(s.labels)} ${s.sum ?? 0}`,
          `${f.name}_count${fmt(s.labels)} ${s.value}`,
        );
      }
    }
    return `${lines.join('\n')}\n`;
  }

  private family(name: string, help: string, type: Family['type'], buckets?: number[]): Family {
    let f = this.families.get(name);
    if (!f) {
      f = { name, help, type, series: new Map(), ...(buckets ? { buckets } : {}) };
      this.families.set(name, f);
    }
    return f;
  }

  private series(f: Family, labels: Labels) {
    const k = keyOf(labels);
    let s = f.series.get(k);
    if (!s) {
      s = { labels: { ...labels }, value: 0 };
      f.series.set(k, s);
    }
    return s;
  }

  private add(f: Family, labels: Labels, by: number) {
    this.series(f, labels).value += by;
  }
}

function fmt(labels: Labels): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  );
  return parts.length ? `{${parts.join(',')}}` : '';
}

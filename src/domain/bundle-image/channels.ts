/**
 * Which channels a CSV belongs to (SPEC §10): those from whose head
 * (`currentCSV`) it is reachable by following `spec.replaces` and
 * `spec.skips`. OLM builds its update graph the same way, so a bundle image
 * announces exactly the channels its CSV was part of in the package manifest.
 */
import type { Manifest } from '../manifest/identify.js';
import { isRecord } from '../values.js';

export interface PackageChannels {
  /** Channel names in package order. */
  readonly names: readonly string[];
  /** `defaultChannel` when it names a channel, else the first channel. */
  readonly defaultChannel: string | undefined;
  /** For every channel, the CSV names reachable from its head (head included). */
  readonly reachable: ReadonlyMap<string, ReadonlySet<string>>;
}

/** `csvs`: every CSV of the bundle, by `metadata.name`. */
export function packageChannels(pkg: Manifest, csvs: ReadonlyMap<string, Manifest>): PackageChannels {
  const names: string[] = [];
  const reachable = new Map<string, Set<string>>();
  const channels = Array.isArray(pkg.channels) ? pkg.channels : [];
  for (const channel of channels) {
    if (!isRecord(channel) || typeof channel.name !== 'string') continue;
    if (reachable.has(channel.name)) continue;
    names.push(channel.name);
    reachable.set(
      channel.name,
      typeof channel.currentCSV === 'string' ? walk(channel.currentCSV, csvs) : new Set(),
    );
  }
  const preferred = typeof pkg.defaultChannel === 'string' ? pkg.defaultChannel : undefined;
  const defaultChannel = preferred !== undefined && reachable.has(preferred) ? preferred : names[0];
  return { names, defaultChannel, reachable };
}

/** The channels of one CSV, in package order. */
export function channelsOf(csvName: string, channels: PackageChannels): string[] {
  return channels.names.filter((name) => channels.reachable.get(name)?.has(csvName));
}

function walk(head: string, csvs: ReadonlyMap<string, Manifest>): Set<string> {
  const seen = new Set<string>([head]);
  const queue = [head];
  while (queue.length > 0) {
    const spec = csvs.get(queue.pop()!)?.spec;
    if (!isRecord(spec)) continue;
    const next = [spec.replaces, ...(Array.isArray(spec.skips) ? spec.skips : [])];
    for (const name of next) {
      if (typeof name !== 'string' || seen.has(name)) continue;
      seen.add(name);
      queue.push(name);
    }
  }
  return seen;
}

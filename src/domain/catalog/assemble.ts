/**
 * One package's FBC blobs from its rendered bundles (SPEC §11 `channels`):
 *
 * - `replaces`: how package manifests and `opm index add --mode replaces`
 *   build channels (operator-registry's sqlite loader walks each channel
 *   down its `replaces` chain and adds the bundles each one skips). A
 *   channel holds the bundles whose channels annotation names it, every
 *   bundle of the package they reach through `spec.replaces`, and the
 *   bundles of the package those skip (not followed further). Each entry keeps its CSV's
 *   `replaces`, `skips` and `olm.skipRange` as they are, even when they name
 *   a bundle that is not there (FBC allows it, OLM ignores the edge; a
 *   removed bundle in the middle of a chain then shows as two channel heads,
 *   which validation refuses). Entries are ordered by version. The default
 *   channel is the default-channel annotation of the highest version that
 *   has one (what an index keeps after adding bundles in version order),
 *   else the only channel, else the first by name.
 * - `semver`: opm's semver template (`alpha/template/semver`) with every
 *   bundle in its Stable bucket and its defaults (minor channels only):
 *   channels `stable-vX.Y`; in each, the highest version replaces the
 *   previous minor's highest and skips every lower version of the major; the
 *   default channel is the template's highest channel.
 *
 * The `olm.package` takes its icon and description from the head bundle of
 * the default channel. No bundles → an empty config (the package leaves the
 * catalog). Output order is deterministic (channels and bundles by name).
 */

import { CatalogValidationError } from '../errors.js';
import {
  compareVersions,
  parseVersion,
  type SemverError,
  tryParseVersion,
  type Version,
  versionString,
} from './blang-semver.js';
import { compareStrings } from './declcfg-write.js';
import {
  type ChannelEntry,
  type DeclarativeConfig,
  emptyConfig,
  type FbcBundle,
  type FbcChannel,
  type FbcPackage,
  type RenderedBundle,
} from './fbc.js';
import { channelHead } from './validate.js';

export type ChannelMode = 'replaces' | 'semver';

export function assemblePackage(
  packageName: string,
  bundles: readonly RenderedBundle[],
  mode: ChannelMode,
): DeclarativeConfig {
  if (bundles.length === 0) return emptyConfig();
  const { channels, defaultChannel } =
    mode === 'semver' ? semverChannels(packageName, bundles) : replacesChannels(packageName, bundles);
  const pkg: FbcPackage = { schema: 'olm.package', name: packageName, defaultChannel };
  const head = headOf(
    channels.find((c) => c.name === defaultChannel),
    bundles,
  );
  if (head?.icon) pkg.icon = { base64data: head.icon.base64data, mediatype: head.icon.mediatype };
  if (head?.description) pkg.description = head.description;
  return {
    packages: [pkg],
    channels: [...channels].sort((a, b) => compareStrings(a.name, b.name)),
    bundles: bundles.map((b) => b.bundle).sort((a, b) => compareStrings(a.name, b.name)),
    others: [],
  };
}

/** Versions ordered by blang precedence; unparseable ones first; ties by name. */
function byVersion(a: RenderedBundle, b: RenderedBundle): number {
  const va = tryParseVersion(a.version);
  const vb = tryParseVersion(b.version);
  if (va && vb) {
    const c = compareVersions(va, vb);
    if (c !== 0) return c;
  } else if (va || vb) return va ? 1 : -1;
  return compareStrings(a.bundle.name, b.bundle.name);
}

function headOf(
  channel: FbcChannel | undefined,
  bundles: readonly RenderedBundle[],
): RenderedBundle | undefined {
  if (!channel || channel.entries.length === 0) return undefined;
  const byName = new Map(bundles.map((b) => [b.bundle.name, b]));
  const graph = new Map(
    channel.entries.map((e) => [e.name, { name: e.name, replaces: e.replaces ?? '', skips: e.skips ?? [] }]),
  );
  try {
    return byName.get(channelHead(graph));
  } catch {
    // No single head (validation will say so): the highest version in the channel.
    const members = channel.entries.map((e) => byName.get(e.name)).filter((b) => b !== undefined);
    return members.sort(byVersion).at(-1);
  }
}

function replacesChannels(
  packageName: string,
  bundles: readonly RenderedBundle[],
): { channels: FbcChannel[]; defaultChannel: string } {
  const sorted = [...bundles].sort(byVersion);
  const byName = new Map(sorted.map((b) => [b.bundle.name, b]));
  const names = new Set<string>();
  for (const b of sorted) for (const c of b.channels) if (c !== '') names.add(c);
  const channels: FbcChannel[] = [];
  for (const name of [...names].sort(compareStrings)) {
    const members = new Set<string>();
    const skipped = new Set<string>();
    const queue = sorted.filter((b) => b.channels.includes(name)).map((b) => b.bundle.name);
    while (queue.length > 0) {
      const next = queue.pop() as string;
      if (members.has(next)) continue;
      members.add(next);
      const b = byName.get(next) as RenderedBundle;
      if (b.replaces && byName.has(b.replaces)) queue.push(b.replaces);
      for (const skip of b.skips) if (byName.has(skip)) skipped.add(skip);
    }
    for (const skip of skipped) members.add(skip);
    const entries = sorted.filter((b) => members.has(b.bundle.name)).map(entryOf);
    channels.push({ schema: 'olm.channel', name, package: packageName, entries });
  }
  const annotated = [...sorted].reverse().find((b) => b.defaultChannel);
  const defaultChannel =
    annotated?.defaultChannel ??
    (channels.length === 1 ? (channels[0] as FbcChannel).name : (channels[0]?.name ?? ''));
  return { channels, defaultChannel };
}

function entryOf(b: RenderedBundle): ChannelEntry {
  const entry: ChannelEntry = { name: b.bundle.name };
  if (b.replaces) entry.replaces = b.replaces;
  if (b.skips.length > 0) entry.skips = [...b.skips];
  if (b.skipRange) entry.skipRange = b.skipRange;
  return entry;
}

interface Tuple {
  name: string;
  version: Version;
  channel: string;
  index: number;
}

/** semver.go's generateChannels + linkChannels for one archetype (stable) and minor streams. */
function semverChannels(
  packageName: string,
  bundles: readonly RenderedBundle[],
): { channels: FbcChannel[]; defaultChannel: string } {
  const versions = bundles.map((b) => ({ b: b.bundle, v: templateVersion(b.bundle, b.version) }));
  checkBuildMetadata(versions.map((x) => x.v));
  versions.sort((x, y) => compareVersions(x.v, y.v));
  const channels = new Map<string, FbcChannel>();
  const tuples: Tuple[] = [];
  let highwater: { version: Version; name: string } | undefined;
  for (const { b, v } of versions) {
    const name = `stable-v${v.major}.${v.minor}`;
    let channel = channels.get(name);
    if (!channel) {
      channel = { schema: 'olm.channel', name, package: packageName, entries: [] };
      channels.set(name, channel);
      if (!highwater || compareVersions(v, highwater.version) > 0) highwater = { version: v, name };
    }
    channel.entries.push({ name: b.name });
    tuples.push({ name: b.name, version: v, channel: name, index: channel.entries.length - 1 });
  }
  const finalize = (t: Tuple, replaces: string, skips: Set<string>) => {
    const entry = (channels.get(t.channel) as FbcChannel).entries[t.index] as ChannelEntry;
    if (replaces) entry.replaces = replaces;
    else delete entry.replaces;
    const list = [...skips].filter((s) => s !== replaces).sort(compareStrings);
    if (list.length > 0) entry.skips = list;
  };
  let prevZMax = '';
  let skips = new Set<string>();
  for (let i = 1; i < tuples.length; i++) {
    const prev = tuples[i - 1] as Tuple;
    const cur = tuples[i] as Tuple;
    const xChange = prev.version.major !== cur.version.major;
    const yChange = prev.version.minor !== cur.version.minor;
    if (xChange || yChange) finalize(prev, prevZMax, skips);
    if (xChange) {
      skips = new Set();
      prevZMax = '';
    } else {
      if (yChange) prevZMax = prev.name;
      skips.add(prev.name);
    }
  }
  if (tuples.length > 1) {
    const last = tuples[tuples.length - 1] as Tuple;
    const penultimate = tuples[tuples.length - 2] as Tuple;
    if (last.version.major === penultimate.version.major) finalize(last, prevZMax, skips);
  }
  return { channels: [...channels.values()], defaultChannel: highwater?.name ?? '' };
}

/** The template reads the version from the bundle's olm.package property. */
function templateVersion(b: FbcBundle, fallback: string): Version {
  const pkg = b.properties.filter((p) => p.type === 'olm.package');
  if (pkg.length > 1)
    throw refused(
      `bundle ${JSON.stringify(b.name)} has multiple "olm.package" properties, expected exactly 1`,
    );
  const value = pkg[0]?.value as { version?: unknown } | undefined;
  const text = typeof value?.version === 'string' ? value.version : fallback;
  try {
    return parseVersion(text);
  } catch (error) {
    throw refused(
      `bundle ${JSON.stringify(b.name)} has invalid version ${JSON.stringify(text)}: ${(error as SemverError).message}`,
    );
  }
}

function checkBuildMetadata(versions: Version[]): void {
  const seen = new Set<string>();
  const errs: string[] = [];
  for (const v of versions) {
    const stripped = versionString({ ...v, build: [] });
    if (seen.has(stripped))
      errs.push(`bundle version "${versionString(v)}" cannot be compared to "${stripped}"`);
    seen.add(stripped);
  }
  if (errs.length > 0)
    throw refused(
      `encountered bundle versions which differ only by build metadata, which cannot be ordered: ${errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`}`,
    );
}

function refused(message: string): CatalogValidationError {
  return new CatalogValidationError(message, { errors: [message], warnings: [] });
}

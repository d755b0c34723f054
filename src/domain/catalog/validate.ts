/**
 * The FBC rules as `opm validate` applies them (operator-registry's
 * `declcfg.ConvertToModel` then `model.Validate`), with opm's messages.
 *
 * Two differences, both about how many messages, never about the verdict:
 * opm stops at the first conversion error (unknown package, duplicate
 * bundle, bad version, …) where we report every one of the same stage
 * (packages, then channels, then bundles, then channel entries without a
 * bundle, then deprecations: a later stage would only repeat an earlier
 * error, so we stop after the first stage with errors; the model rules run
 * only when there were none, as in opm); and opm prints model errors as a tree ("invalid index: └──
 * invalid package "p": └── invalid channel "c": └── …") in Go's random map
 * order, where we give one line per broken rule, its path joined by ": ", in
 * name order: `invalid package "p": invalid channel "c": multiple channel
 * heads found in graph: p.v1, p.v2`.
 *
 * Cost: one pass over the blobs plus one walk per channel — 100 packages ×
 * 10 bundles validate in a few milliseconds (test/domain/catalog/validate.test.ts).
 */

import {
  type PreRelease,
  parsePreRelease,
  parseRange,
  parseVersion,
  preReleaseString,
  type Version,
  versionString,
} from './blang-semver.js';
import { compareStrings } from './declcfg-write.js';
import type { DeclarativeConfig, FbcBundle, Property } from './fbc.js';
import { imageReferenceError } from './image-reference.js';
import { type ParsedProperties, parseProperties } from './properties.js';

interface Deprecation {
  message: string;
}

interface ModelPackage {
  name: string;
  defaultChannel?: ModelChannel;
  channels: Map<string, ModelChannel>;
  deprecation?: Deprecation;
}

interface ModelChannel {
  name: string;
  bundles: Map<string, ModelBundle>;
  deprecation?: Deprecation;
}

interface ModelBundle {
  packageName: string;
  name: string;
  replaces: string;
  skips: string[];
  skipRange: string;
  image: string;
  properties: Property[];
  version?: Version;
  release: PreRelease[];
  deprecation?: Deprecation;
}

const DEPRECATIONS = 'olm.deprecations';

export function validateConfig(config: DeclarativeConfig): string[] {
  const converted = convert(config);
  if (converted.errors.length > 0) return converted.errors;
  return validateModel(converted.packages);
}

const q = (s: string) => JSON.stringify(s);

/** declcfg_to_model.go's ConvertToModel, collecting its errors instead of stopping at the first. */
function convert(config: DeclarativeConfig): { packages: Map<string, ModelPackage>; errors: string[] } {
  const errors: string[] = [];
  const packages = new Map<string, ModelPackage>();
  const defaultChannels = new Map<string, string>();

  for (const p of config.packages) {
    if (p.name === '') {
      errors.push('config contains package with no name');
      continue;
    }
    if (packages.has(p.name)) {
      errors.push(`duplicate package ${q(p.name)}`);
      continue;
    }
    const labelErrors = dns1123LabelErrors(p.name);
    if (labelErrors.length > 0) {
      errors.push(`invalid package name ${q(p.name)}: [${labelErrors.join(' ')}]`);
      continue;
    }
    packages.set(p.name, { name: p.name, channels: new Map() });
    defaultChannels.set(p.name, p.defaultChannel ?? '');
  }
  if (errors.length > 0) return { packages, errors };

  // opm keeps only the last channel's entries of each package for this check (a map assignment per channel).
  const channelDefinedEntries = new Map<string, Set<string>>();
  for (const c of config.channels) {
    const pkg = packages.get(c.package);
    if (!pkg) {
      errors.push(`unknown package ${q(c.package)} for channel ${q(c.name)}`);
      continue;
    }
    if (c.name === '') {
      errors.push(`package ${q(c.package)} contains channel with no name`);
      continue;
    }
    if (pkg.channels.has(c.name)) {
      errors.push(`package ${q(c.package)} has duplicate channel ${q(c.name)}`);
      continue;
    }
    const channel: ModelChannel = { name: c.name, bundles: new Map() };
    const defined = new Set<string>();
    let duplicate = false;
    for (const entry of c.entries) {
      if (channel.bundles.has(entry.name)) {
        errors.push(
          `invalid package ${q(c.package)}, channel ${q(c.name)}: duplicate entry ${q(entry.name)}`,
        );
        duplicate = true;
        break;
      }
      defined.add(entry.name);
      channel.bundles.set(entry.name, {
        packageName: c.package,
        name: entry.name,
        replaces: entry.replaces ?? '',
        skips: entry.skips ?? [],
        skipRange: entry.skipRange ?? '',
        image: '',
        properties: [],
        release: [],
      });
    }
    if (duplicate) continue;
    channelDefinedEntries.set(c.package, defined);
    pkg.channels.set(c.name, channel);
    if (defaultChannels.get(c.package) === c.name) pkg.defaultChannel = channel;
  }
  if (errors.length > 0) return { packages, errors };

  const packageBundles = new Map<string, Set<string>>();
  for (const b of config.bundles) {
    const error = convertBundle(b, packages, packageBundles, channelDefinedEntries);
    if (error) errors.push(error);
  }
  if (errors.length > 0) return { packages, errors };

  for (const [pkg, entries] of channelDefinedEntries) {
    if (entries.size > 0)
      errors.push(
        `no olm.bundle blobs found in package ${q(pkg)} for olm.channel entries [${[...entries].sort(compareStrings).join(' ')}]`,
      );
  }
  if (errors.length > 0) return { packages, errors };

  for (const pkg of packages.values()) {
    const name = defaultChannels.get(pkg.name) ?? '';
    if (name !== '' && !pkg.defaultChannel) {
      const channel: ModelChannel = { name, bundles: new Map() };
      pkg.defaultChannel = channel;
      pkg.channels.set(name, channel);
    }
  }

  errors.push(...convertDeprecations(config, packages, packageBundles));
  return { packages, errors };
}

function convertBundle(
  b: FbcBundle,
  packages: Map<string, ModelPackage>,
  packageBundles: Map<string, Set<string>>,
  channelDefinedEntries: Map<string, Set<string>>,
): string | undefined {
  if (b.package === '') return `package name must be set for bundle ${q(b.name)}`;
  const pkg = packages.get(b.package);
  if (!pkg) return `unknown package ${q(b.package)} for bundle ${q(b.name)}`;
  const seen = packageBundles.get(b.package) ?? new Set<string>();
  packageBundles.set(b.package, seen);
  if (seen.has(b.name)) return `package ${q(b.package)} has duplicate bundle ${q(b.name)}`;
  seen.add(b.name);
  let props: ParsedProperties;
  try {
    props = parseProperties(b.properties);
  } catch (error) {
    return `parse properties for bundle ${q(b.name)}: ${(error as Error).message}`;
  }
  if (props.packages.length !== 1)
    return `package ${q(b.package)} bundle ${q(b.name)} must have exactly 1 "olm.package" property, found ${props.packages.length}`;
  const pp = props.packages[0] as ParsedProperties['packages'][number];
  if (b.package !== pp.packageName)
    return `package ${q(b.package)} does not match "olm.package" property ${q(pp.packageName)}`;
  const imageError = pullSpecError(b.image, `package ${q(b.package)} bundle ${q(b.name)} image`);
  if (imageError) return imageError;
  for (const [i, rel] of (b.relatedImages ?? []).entries()) {
    const relError = pullSpecError(
      rel.image,
      `package ${q(b.package)} bundle ${q(b.name)} relatedImages[${i}].image`,
    );
    if (relError) return relError;
  }
  let version: Version;
  try {
    version = parseVersion(pp.version);
  } catch (error) {
    return `error parsing bundle ${q(b.name)} version ${q(pp.version)}: ${(error as Error).message}`;
  }
  let release: PreRelease[] = [];
  if (pp.release !== '') {
    try {
      release = parseRelease(pp.release);
    } catch (error) {
      return `error parsing bundle ${q(b.name)} release version ${q(pp.release)}: ${(error as Error).message}`;
    }
  }
  channelDefinedEntries.get(b.package)?.delete(b.name);
  let found = false;
  for (const channel of pkg.channels.values()) {
    const mb = channel.bundles.get(b.name);
    if (mb) {
      found = true;
      mb.image = b.image;
      mb.properties = b.properties;
      mb.version = version;
      mb.release = release;
    }
  }
  if (!found) return `package ${q(b.package)}, bundle ${q(b.name)} not found in any channel entries`;
  return undefined;
}

function pullSpecError(spec: string, what: string): string | undefined {
  if (spec === '') return undefined;
  const error = imageReferenceError(spec);
  return error ? `${what}: invalid image pull spec ${q(spec)}: ${error}` : undefined;
}

/** model.NewRelease: dot-separated pre-release identifiers, at most 20 characters. */
function parseRelease(text: string): PreRelease[] {
  if (text.length > 20)
    throw new Error(`invalid release ${q(text)}: exceeds maximum length of 20 characters`);
  const errs: string[] = [];
  const out: PreRelease[] = [];
  text.split('.').forEach((segment, i) => {
    try {
      out.push(parsePreRelease(segment));
    } catch (error) {
      errs.push(`segment ${i}: ${(error as Error).message}`);
    }
  });
  if (errs.length > 0) throw new Error(`invalid release ${q(text)}: ${errs.join('\n')}`);
  return out;
}

function convertDeprecations(
  config: DeclarativeConfig,
  packages: Map<string, ModelPackage>,
  packageBundles: Map<string, Set<string>>,
): string[] {
  const errors: string[] = [];
  const seenPackages = new Set<string>();
  const deprecations = config.others.filter((o) => o.schema === DEPRECATIONS);
  deprecations.forEach((d, i) => {
    const pkgName = typeof d.blob.package === 'string' ? d.blob.package : '';
    if (pkgName === '') {
      errors.push(`package name must be set for deprecation item ${i}`);
      return;
    }
    const pkg = packages.get(pkgName);
    if (!pkg) {
      errors.push(`cannot apply deprecations to an unknown package ${q(pkgName)}`);
      return;
    }
    if (seenPackages.has(pkgName)) {
      errors.push(`expected a maximum of one deprecation per package: ${q(pkgName)}`);
      return;
    }
    seenPackages.add(pkgName);
    const references = new Set<string>();
    const entries = Array.isArray(d.blob.entries) ? d.blob.entries : [];
    for (const [j, raw] of entries.entries()) {
      const entry = (raw ?? {}) as Record<string, unknown>;
      const ref = (entry.reference ?? {}) as Record<string, unknown>;
      const schema = typeof ref.schema === 'string' ? ref.schema : '';
      const name = typeof ref.name === 'string' ? ref.name : '';
      const message = typeof entry.message === 'string' ? entry.message : '';
      const goRef = `declcfg.PackageScopedReference{Schema:${q(schema)}, Name:${q(name)}}`;
      if (schema === '') {
        errors.push(`schema must be set for deprecation entry [${j}] for package ${q(pkgName)}`);
        return;
      }
      if (references.has(goRef)) {
        errors.push(`duplicate deprecation entry ${goRef} for package ${q(pkgName)}`);
        return;
      }
      references.add(goRef);
      if (schema === 'olm.bundle') {
        if (!packageBundles.get(pkgName)?.has(name)) {
          errors.push(`cannot deprecate bundle ${q(name)} for package ${q(pkgName)}: bundle not found`);
          return;
        }
        for (const channel of pkg.channels.values()) {
          const mb = channel.bundles.get(name);
          if (mb) mb.deprecation = { message };
        }
      } else if (schema === 'olm.channel') {
        const channel = pkg.channels.get(name);
        if (!channel) {
          errors.push(`cannot deprecate channel ${q(name)} for package ${q(pkgName)}: channel not found`);
          return;
        }
        channel.deprecation = { message };
      } else if (schema === 'olm.package') {
        if (name !== '') {
          errors.push(
            `package name must be empty for deprecated package ${q(pkgName)} (specified ${q(name)})`,
          );
          return;
        }
        pkg.deprecation = { message };
      } else {
        errors.push(
          `cannot deprecate object ${goRef} referenced by entry ${j} for package ${q(pkgName)}: object schema unknown`,
        );
        return;
      }
    }
  });
  return errors;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** k8s validation.IsDNS1123Label's messages. */
function dns1123LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!DNS1123_LABEL.test(value)) {
    if (DNS1123_SUBDOMAIN.test(value)) errs.push('must not contain dots');
    else
      errs.push(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      );
  }
  return errs;
}

// ---- model.Validate ----

const byName = <T>(map: Map<string, T>): [string, T][] =>
  [...map.entries()].sort((a, b) => compareStrings(a[0], b[0]));

function validateModel(packages: Map<string, ModelPackage>): string[] {
  const lines: string[] = [];
  for (const [, pkg] of byName(packages)) {
    for (const e of validatePackage(pkg)) lines.push(`invalid package ${q(pkg.name)}: ${e}`);
  }
  return lines;
}

function validatePackage(p: ModelPackage): string[] {
  const errs: string[] = [];
  if (p.name === '') errs.push('package name must not be empty');
  if (!p.defaultChannel) errs.push('default channel must be set');
  if (p.channels.size === 0) errs.push('package must contain at least one channel');
  let foundDefault = false;
  for (const [, ch] of byName(p.channels)) {
    for (const e of validateChannel(ch, p)) errs.push(`invalid channel ${q(ch.name)}: ${e}`);
    if (ch === p.defaultChannel) foundDefault = true;
  }
  const versions = duplicateVersions(p);
  if (versions) errs.push(versions);
  if (p.defaultChannel && !foundDefault)
    errs.push(`default channel ${q(p.defaultChannel.name)} not found in channels list`);
  if (p.deprecation && p.deprecation.message === '') errs.push('invalid deprecation: message must be set');
  return errs;
}

function bundleVersionString(b: ModelBundle): string {
  const v = b.version ? versionString(b.version) : '0.0.0';
  return b.release.length > 0 ? `${v}-${b.release.map(preReleaseString).join('.')}` : v;
}

function duplicateVersions(p: ModelPackage): string | undefined {
  const byVersion = new Map<string, Set<string>>();
  for (const ch of p.channels.values()) {
    for (const b of ch.bundles.values()) {
      const v = bundleVersionString(b);
      const names = byVersion.get(v) ?? new Set<string>();
      names.add(b.name);
      byVersion.set(v, names);
    }
  }
  const errs = [...byVersion.keys()]
    .sort(compareStrings)
    .filter((v) => (byVersion.get(v)?.size ?? 0) > 1)
    .map((v) => `{${v}: [${[...(byVersion.get(v) as Set<string>)].sort(compareStrings).join(', ')}]}`);
  return errs.length > 0 ? `duplicate versions found in bundles: [${errs.join(' ')}]` : undefined;
}

function validateChannel(c: ModelChannel, pkg: ModelPackage): string[] {
  const errs: string[] = [];
  if (c.name === '') errs.push('channel name must not be empty');
  if (c.bundles.size === 0) errs.push('channel must contain at least one bundle');
  else {
    const chain = replacesChainError(c);
    if (chain) errs.push(chain);
  }
  for (const [, b] of byName(c.bundles)) {
    for (const e of validateBundle(b, pkg)) errs.push(`invalid bundle ${q(b.name)}: ${e}`);
  }
  if (c.deprecation && c.deprecation.message === '') errs.push('invalid deprecation: message must be set');
  return errs;
}

/** model.Channel.Head: the one bundle nothing replaces or skips. */
export function channelHead(
  bundles: Map<string, { name: string; replaces: string; skips: readonly string[] }>,
): string {
  const incoming = new Set<string>();
  for (const b of bundles.values()) {
    if (b.replaces !== '') incoming.add(b.replaces);
    for (const s of b.skips) incoming.add(s);
  }
  const heads = [...bundles.values()].filter((b) => !incoming.has(b.name)).map((b) => b.name);
  if (heads.length === 0) throw new Error('no channel head found in graph');
  if (heads.length > 1)
    throw new Error(`multiple channel heads found in graph: ${heads.sort(compareStrings).join(', ')}`);
  return heads[0] as string;
}

function replacesChainError(c: ModelChannel): string | undefined {
  let headName: string;
  try {
    headName = channelHead(c.bundles);
  } catch (error) {
    return (error as Error).message;
  }
  const all = new Set<string>();
  const skipped = new Set<string>();
  for (const b of c.bundles.values()) {
    all.add(b.name);
    for (const s of b.skips) skipped.add(s);
  }
  const chainFrom = new Map<string, string[]>();
  const fromHead = new Set<string>([headName]);
  let cur = c.bundles.get(headName);
  while (cur) {
    if (!chainFrom.has(cur.name)) chainFrom.set(cur.name, [cur.name]);
    if (skipped.has(cur.replaces)) break;
    for (const chain of chainFrom.values()) chain.push(cur.replaces);
    if (fromHead.has(cur.replaces))
      return `detected cycle in replaces chain of upgrade graph: ${(chainFrom.get(cur.replaces) ?? []).join(' -> ')}`;
    fromHead.add(cur.replaces);
    cur = c.bundles.get(cur.replaces);
  }
  const stranded = [...all].filter((n) => !fromHead.has(n) && !skipped.has(n)).sort(compareStrings);
  return stranded.length > 0
    ? `channel contains one or more stranded bundles: ${stranded.join(', ')}`
    : undefined;
}

function validateBundle(b: ModelBundle, pkg: ModelPackage): string[] {
  const errs: string[] = [];
  if (b.name === '') errs.push('name must be set');
  const normalized = b.release.length > 0 ? `${pkg.name}-v${bundleVersionString(b)}` : b.name;
  if (b.name !== normalized) errs.push(`name ${q(b.name)} does not match normalized name ${q(normalized)}`);
  let props: ParsedProperties | undefined;
  try {
    props = parseProperties(b.properties);
  } catch (error) {
    errs.push((error as Error).message);
  }
  b.skips.forEach((skip, i) => {
    if (skip === '') errs.push(`skip[${i}] is empty`);
  });
  if (b.skipRange !== '') {
    try {
      parseRange(b.skipRange);
    } catch (error) {
      errs.push(`invalid skipRange ${q(b.skipRange)}: ${(error as Error).message}`);
    }
  }
  if (props && props.packages.length !== 1) errs.push('must be exactly one property with type "olm.package"');
  if (b.image === '' && (props?.bundleObjects ?? 0) === 0) errs.push('bundle image must be set');
  if (b.deprecation && b.deprecation.message === '') errs.push('invalid deprecation: message must be set');
  if ((b.version?.build.length ?? 0) > 0 && b.release.length > 0)
    errs.push('cannot use build metadata in version with a release version');
  return errs;
}

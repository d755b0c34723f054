/**
 * File-Based Catalog blobs (olm-docs "File-Based Catalogs"; operator-registry's
 * `alpha/declcfg`), as plain data. Field names keep their FBC spelling so a
 * reader who knows opm knows these types. Optional fields are left out when
 * absent (never `undefined` in a written blob).
 */

export const SCHEMA = {
  package: 'olm.package',
  channel: 'olm.channel',
  bundle: 'olm.bundle',
} as const;

/** `{type, value}`: a bundle or package property (`olm.package`, `olm.gvk`, `olm.csv.metadata`, …). */
export interface Property {
  type: string;
  value: unknown;
}

export interface FbcIcon {
  base64data: string;
  mediatype: string;
}

export interface FbcPackage {
  schema: 'olm.package';
  name: string;
  defaultChannel?: string;
  icon?: FbcIcon;
  description?: string;
  properties?: Property[];
}

export interface ChannelEntry {
  name: string;
  replaces?: string;
  skips?: string[];
  skipRange?: string;
}

export interface FbcChannel {
  schema: 'olm.channel';
  package: string;
  name: string;
  entries: ChannelEntry[];
  properties?: Property[];
}

export interface RelatedImage {
  name: string;
  image: string;
}

export interface FbcBundle {
  schema: 'olm.bundle';
  package: string;
  name: string;
  image: string;
  properties: Property[];
  relatedImages?: RelatedImage[];
}

/** Any other blob with a schema (kept as read: `olm.deprecations`, custom schemas). */
export interface FbcMeta {
  schema: string;
  package?: string;
  name?: string;
  /** The whole blob as read. */
  blob: Record<string, unknown>;
}

/** operator-registry's `declcfg.DeclarativeConfig`: every blob of a catalog (or of one package), by kind. */
export interface DeclarativeConfig {
  packages: FbcPackage[];
  channels: FbcChannel[];
  bundles: FbcBundle[];
  others: FbcMeta[];
}

export function emptyConfig(): DeclarativeConfig {
  return { packages: [], channels: [], bundles: [], others: [] };
}

/**
 * One bundle rendered (an `olm.bundle`), with the facts channel assembly and the
 * `olm.package` blob need from its CSV and its bundle annotations.
 */
export interface RenderedBundle {
  bundle: FbcBundle;
  /** The CSV's spec.version, as written. */
  version: string;
  /** The CSV's spec.replaces. */
  replaces?: string;
  /** The CSV's spec.skips. */
  skips: string[];
  /** The CSV's `olm.skipRange` annotation. */
  skipRange?: string;
  /** `operators.operatorframework.io.bundle.channels.v1`, split on commas. */
  channels: string[];
  /** `operators.operatorframework.io.bundle.channel.default.v1`, when set. */
  defaultChannel?: string;
  /** The CSV's first `spec.icon`, for the package blob. */
  icon?: FbcIcon;
  /** The CSV's spec.description, for the package blob. */
  description?: string;
}

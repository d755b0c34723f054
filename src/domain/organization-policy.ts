/** Per-organization settings of SPEC §9 that shape what is pushed and where. */
export interface RegistryReplacement {
  old: string;
  new: string;
  regexp: boolean;
}

export interface CsvAnnotation {
  name: string;
  /** May contain `{package_name}`, replaced by the final package name. */
  value: string;
}

export interface OrganizationPolicy {
  public: boolean;
  oauthToken?: string;
  replaceRegistry: RegistryReplacement[];
  packageNameSuffix?: string;
  csvAnnotations: CsvAnnotation[];
  /** SPEC §10: publish operator bundle images to this OCI registry instead of App Registry releases. */
  bundleImages?: BundleImagesPolicy;
  /** SPEC §11: keep a File-Based Catalog image current in the bundle_images registry. */
  catalog?: CatalogPolicy;
}

export interface BundleImagesPolicy {
  /** The OCI distribution API's base URL, e.g. https://registry.example.com. */
  registry: string;
  /** The image repository, with `{organization}` and `{package_name}` placeholders. */
  repository: string;
}

export interface CatalogPolicy {
  /** The catalog image repository in the bundle_images registry, with an `{organization}` placeholder. */
  repository: string;
  /** The tag kept current. */
  tag: string;
  /** How channels and upgrade edges are made: from the bundles' annotations and replaces/skips, or opm's semver template. */
  channels: 'replaces' | 'semver';
  /** An `opm` image (by digest) to append the `/configs` layer to; none: a one-layer catalog image. */
  baseImage?: string;
}

export const DEFAULT_CATALOG_REPOSITORY = '{organization}/catalog';
export const DEFAULT_CATALOG_TAG = 'latest';

export const DEFAULT_BUNDLE_REPOSITORY = '{organization}/{package_name}-bundle';

export const DEFAULT_POLICY: OrganizationPolicy = Object.freeze({
  public: false,
  replaceRegistry: [],
  csvAnnotations: [],
}) as OrganizationPolicy;

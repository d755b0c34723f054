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
}

export interface BundleImagesPolicy {
  /** The OCI distribution API's base URL, e.g. https://registry.example.com. */
  registry: string;
  /** The image repository, with `{organization}` and `{package_name}` placeholders. */
  repository: string;
}

export const DEFAULT_BUNDLE_REPOSITORY = '{organization}/{package_name}-bundle';

export const DEFAULT_POLICY: OrganizationPolicy = Object.freeze({
  public: false,
  replaceRegistry: [],
  csvAnnotations: [],
}) as OrganizationPolicy;

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
}

export const DEFAULT_POLICY: OrganizationPolicy = Object.freeze({
  public: false,
  replaceRegistry: [],
  csvAnnotations: [],
}) as OrganizationPolicy;

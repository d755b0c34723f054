/**
 * Where a bundle image goes (SPEC §10): the repository from the
 * organization's template, and the reference people pull
 * (`<registry host[:port]>/<repository>:<tag>`).
 */
import { PackageValidationError } from '../errors.js';

/** The OCI distribution spec's repository name grammar. */
const REPOSITORY_NAME = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
/** The OCI distribution spec's tag grammar. */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/**
 * The template with its placeholders filled, lower-cased (registries refuse
 * upper case, organization names allow it). Throws PackageValidationError when
 * the result is not a repository name.
 */
export function imageRepository(template: string, organization: string, packageName: string): string {
  const name = template
    .replaceAll('{organization}', organization)
    .replaceAll('{package_name}', packageName)
    .toLowerCase();
  if (!isValidRepositoryName(name)) {
    const message = `"${name}" (from the bundle_images repository "${template}") is not a valid image repository name.`;
    throw new PackageValidationError(message, { errors: [message], warnings: [] });
  }
  return name;
}

export function isValidRepositoryName(name: string): boolean {
  return name.length <= 255 && REPOSITORY_NAME.test(name);
}

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

/** `registry.example.com:5000/org/pkg-bundle:1.0.0` for a registry base URL. */
export function imageReference(registry: string, repository: string, tag: string): string {
  return `${new URL(registry).host}/${repository}:${tag}`;
}

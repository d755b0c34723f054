/**
 * An image reference as `catalog.base_image` names one (SPEC §11):
 * `host[:port]/repository[:tag][@sha256:<hex>]`, the registry host always
 * written out (no Docker Hub shorthand): the service must know which
 * registry it talks to, and whether the caller's credentials go there.
 */
import { isValidRepositoryName, isValidTag } from '../bundle-image/image-name.js';

export interface ImageReference {
  /** `host[:port]`, lower-cased. */
  host: string;
  repository: string;
  tag?: string;
  /** `sha256:<hex>`: what to fetch when given (the tag is then only a note). */
  digest?: string;
}

const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The reference's parts; a reason (to follow "is not a valid image reference: ") when it is malformed. */
export function parseImageReference(reference: string): ImageReference | string {
  const slash = reference.indexOf('/');
  if (slash <= 0) return 'it must start with the registry host (host[:port]/repository)';
  const host = reference.slice(0, slash).toLowerCase();
  if (!HOST.test(host) || !(host.includes('.') || host.includes(':') || host.startsWith('localhost')))
    return `"${reference.slice(0, slash)}" is not a registry host`;
  let rest = reference.slice(slash + 1);
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return `"${digest}" is not a sha256 digest`;
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!isValidTag(tag)) return `"${tag}" is not a valid tag`;
  }
  if (!isValidRepositoryName(rest)) return `"${rest}" is not a valid repository name`;
  if (!tag && !digest) return 'it names neither a tag nor a digest';
  return { host, repository: rest, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

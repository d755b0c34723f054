/**
 * Image references as people write them (`host[:port]/repository@sha256:…` or
 * `…:tag`), for a catalog's base image (SPEC §11). Only fully qualified
 * references: the service has no default registry to guess.
 */

export interface ImageReference {
  /** `host[:port]`. */
  host: string;
  repository: string;
  /** `sha256:<hex>` when pinned by digest. */
  digest?: string;
  /** The tag when not pinned by digest. */
  tag?: string;
}

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;
const REPOSITORY = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The parts of a fully qualified reference; undefined when it is not one. */
export function parseImageReference(reference: string): ImageReference | undefined {
  const slash = reference.indexOf('/');
  if (slash <= 0) return undefined;
  const host = reference.slice(0, slash);
  // A first part without a dot, a colon or "localhost" is a Docker Hub namespace, not a host.
  if (!HOST.test(host) || !(/[.:[]/.test(host) || host === 'localhost')) return undefined;
  let rest = reference.slice(slash + 1);
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    if (!DIGEST.test(digest)) return undefined;
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }
  if (rest.length === 0 || rest.length > 255 || !REPOSITORY.test(rest)) return undefined;
  if (digest === undefined && tag === undefined) return undefined;
  return { host, repository: rest, ...(digest ? { digest } : { tag: tag as string }) };
}

export function isImageReference(reference: string): boolean {
  return parseImageReference(reference) !== undefined;
}

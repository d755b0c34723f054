/**
 * Whether an image pull spec parses as the container tools' references do
 * (docker/distribution `reference.ParseNormalizedNamed`, which opm's
 * ConvertToModel applies to every bundle image and related image): the
 * grammar, lower-case repository names, and digests of a known algorithm
 * and length. Returns the error text those tools give, or undefined.
 */

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[(?:[a-fA-F0-9:]+)\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const IDENTIFIER = /^[a-f0-9]{64}$/;
const DIGEST_ALGORITHMS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

export function imageReferenceError(spec: string): string | undefined {
  if (IDENTIFIER.test(spec))
    return `invalid repository name (${spec}), cannot specify 64-byte hexadecimal strings`;
  const [domain, remainder] = splitDockerDomain(spec);
  const tagSep = remainder.indexOf(':');
  const remoteName = tagSep > -1 ? remainder.slice(0, tagSep) : remainder;
  if (remoteName.toLowerCase() !== remoteName)
    return `invalid reference format: repository name (${remoteName}) must be lowercase`;
  const full = `${domain}/${remainder}`;
  const m = REFERENCE.exec(full);
  if (!m) {
    if (REFERENCE.test(full.toLowerCase()))
      return 'invalid reference format: repository name must be lowercase';
    return 'invalid reference format';
  }
  if ((m[1] as string).length > 255) return 'repository name must not be more than 255 characters';
  const digest = m[3];
  if (digest) return digestError(digest);
  return undefined;
}

function splitDockerDomain(name: string): [string, string] {
  const i = name.indexOf('/');
  let domain: string;
  let remainder: string;
  const first = i === -1 ? '' : name.slice(0, i);
  if (i === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = 'docker.io';
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(i + 1);
  }
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (domain === 'docker.io' && !remainder.includes('/')) remainder = `library/${remainder}`;
  return [domain, remainder];
}

function digestError(digest: string): string | undefined {
  const i = digest.indexOf(':');
  const algorithm = digest.slice(0, i);
  const encoded = digest.slice(i + 1);
  const size = DIGEST_ALGORITHMS[algorithm];
  if (size === undefined) return 'unsupported digest algorithm';
  if (encoded.length !== size) return 'invalid checksum digest length';
  if (!/^[a-f0-9]+$/.test(encoded)) return 'invalid checksum digest format';
  return undefined;
}

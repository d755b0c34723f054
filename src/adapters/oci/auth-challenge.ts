/**
 * The registry token handshake of the OCI distribution world (Docker's "token
 * authentication"): a `401` whose `WWW-Authenticate` is
 * `Bearer realm="…",service="…",scope="…"` says where to get a bearer token.
 */

export interface BearerChallenge {
  realm: string;
  service?: string;
  scope?: string;
}

/** The Bearer challenge of a `WWW-Authenticate` value, or undefined (none, Basic, or no realm). */
export function parseBearerChallenge(header: string | null): BearerChallenge | undefined {
  if (!header) return undefined;
  const match = /^\s*bearer\s+(.*)$/i.exec(header);
  if (!match) return undefined;
  const params = new Map<string, string>();
  // key="quoted, value" or key=token, comma-separated; scope values themselves contain commas.
  const param = /([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/g;
  for (let m = param.exec(match[1]!); m; m = param.exec(match[1]!)) {
    params.set(m[1]!.toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? ''));
  }
  const realm = params.get('realm');
  if (!realm) return undefined;
  return {
    realm,
    ...(params.get('service') ? { service: params.get('service') } : {}),
    ...(params.get('scope') ? { scope: params.get('scope') } : {}),
  };
}

/** The token endpoint's URL for a challenge (`realm?service=…&scope=…`); undefined when realm is not http(s). */
export function tokenUrl(challenge: BearerChallenge): string | undefined {
  let url: URL;
  try {
    url = new URL(challenge.realm);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (challenge.service) url.searchParams.set('service', challenge.service);
  if (challenge.scope) url.searchParams.set('scope', challenge.scope);
  return url.href;
}

/**
 * The ImageRegistry port over the OCI distribution API (SPEC §10), for any
 * registry: blob HEAD, monolithic upload (POST, then PUT to the Location with
 * `digest=`), manifest PUT/GET/DELETE, tags/list, `GET /v2/`.
 *
 * Web APIs only (runs on edge runtimes); the shared upstream plumbing
 * gives every HTTP exchange a `request_timeout` deadline (attempts, pauses and
 * reading the answer), bounded reads and retries of idempotent reads only.
 *
 * Auth: the caller's Authorization goes to the registry as given. On a `401`
 * with a Bearer challenge the session asks the realm for a token (sending the
 * caller's credentials only when they are Basic ones) and retries once with
 * `Bearer <token>`, which then serves the session's later calls. Neither
 * credential ever appears in a message or a log line, and neither goes to
 * another origin than the registry's: an upload Location, a tag-list Link or
 * a redirect naming another host or scheme is called without Authorization,
 * and a 401 from there is not answered; an `http:` realm of an `https:`
 * registry is refused.
 */
import type { ImageRegistry, ImageRegistrySession, Token } from '../../application/ports.js';
import { capitalize } from '../../domain/values.js';
import { UpstreamExchanger, type UpstreamIdentity, type UpstreamOptions } from '../upstream/exchange.js';
import type { Exchange, Operation, Outcome } from './oci-exchange.js';
import { OciSession } from './oci-session.js';

/** `maxAnswerBytes` defaults to 4 MiB (manifests, tag lists and token answers are small). */
export type OciImageRegistryOptions = UpstreamOptions;

/** A registry for the shared exchange: answers from 400 up are logged (a 401 before a token too). */
const REGISTRY: UpstreamIdentity = {
  name: 'the registry',
  title: 'Registry',
  logName: 'oci_registry',
  defaultMaxAnswerBytes: 4 * 1024 * 1024,
  failedStatus: (status) => status >= 400,
};

export class OciImageRegistry implements ImageRegistry {
  private readonly upstream: UpstreamExchanger;

  constructor(options: OciImageRegistryOptions = {}) {
    this.upstream = new UpstreamExchanger(REGISTRY, options);
  }

  session(registry: string, token: Token): ImageRegistrySession {
    return this.openSession(registry, token);
  }

  authenticate(registry: string, token: Token): Promise<void> {
    return this.openSession(registry, token).authenticate();
  }

  async ping(registry: string, signal?: AbortSignal): Promise<void> {
    const outcome = await this.call('ping', `${baseUrl(registry)}/v2/`, {
      method: 'get',
      retries: 1,
      ...(signal ? { signal } : {}),
    });
    if (outcome.kind === 'failed') throw new Error(capitalize(outcome.reason));
    // 401: the registry is up and wants credentials, which a health check has none of.
    if (outcome.status !== 200 && outcome.status !== 401)
      throw new Error(`The registry answered ${outcome.status}`);
  }

  private openSession(registry: string, token: Token): OciSession {
    return new OciSession(
      (operation, url, exchange) => this.call(operation, url, exchange),
      baseUrl(registry),
      token,
    );
  }

  /** One HTTP exchange (the sessions' Exchanger): never throws; the answer (any status, body read within the cap) or why there was none. */
  call(operation: Operation, url: string, exchange: Exchange): Promise<Outcome> {
    return this.upstream.send(operation, url, exchange);
  }
}

function baseUrl(registry: string): string {
  return registry.replace(/\/+$/, '');
}

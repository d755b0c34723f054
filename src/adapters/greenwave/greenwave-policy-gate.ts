/**
 * The PolicyGate port on Greenwave's decision API (SPEC §8). Web APIs
 * only, so it runs on edge runtimes.
 *
 * `timeoutMs` bounds each call as a whole, reading the answer included.
 * Nothing is retried: a decision is cheap to ask again and the caller's
 * request is waiting.
 */
import type { LogFields, PolicyGate } from '../../application/ports.js';
import { GreenwaveError, GreenwaveUnsatisfiedError } from '../../domain/errors.js';
import { isRecord } from '../../domain/values.js';
import { UpstreamExchanger, type UpstreamIdentity, type UpstreamOptions } from '../upstream/exchange.js';
import { parseJson } from '../upstream/json.js';

export interface GreenwavePolicyGateOptions extends UpstreamOptions {
  /** Greenwave base URL, e.g. https://greenwave.example.com */
  url: string;
  /** `decision_context` of every decision, e.g. "osbs_push" */
  context: string;
  /** `product_version` of every decision, e.g. "cvp" */
  productVersion: string;
}

/** Greenwave for the shared exchange: small JSON answers; this adapter logs the answers it cannot use. */
const GREENWAVE: UpstreamIdentity = {
  name: 'Greenwave',
  logName: 'greenwave',
  reasons: 'plain',
  defaultMaxAnswerBytes: 4 * 1024 * 1024,
};

interface Answer {
  operation: string;
  started: number;
  status: number;
  /** The parsed JSON, or undefined when the body is not JSON. */
  json: unknown;
}

export class GreenwavePolicyGate implements PolicyGate {
  private readonly baseUrl: string;
  private readonly upstream: UpstreamExchanger;

  constructor(private readonly options: GreenwavePolicyGateOptions) {
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.upstream = new UpstreamExchanger(GREENWAVE, options);
  }

  async check(nvr: string): Promise<void> {
    const body = {
      decision_context: this.options.context,
      product_version: this.options.productVersion,
      subject_identifier: nvr,
      subject_type: 'koji_build',
    };
    const answer = await this.request('decision', 'post', '/api/v1.0/decision', body);
    const { status, json } = answer;
    if (status !== 200) throw this.fail(answer, `answered HTTP ${status}${messageOf(json)}`, { nvr });
    if (!isRecord(json)) throw this.fail(answer, 'answered something that is not a JSON object', { nvr });
    const satisfied = json.policies_satisfied;
    if (satisfied === true) return;
    if (satisfied === false) throw new GreenwaveUnsatisfiedError(nvr, json);
    throw this.fail(answer, 'answered without a boolean "policies_satisfied"', { nvr });
  }

  async ping(signal?: AbortSignal): Promise<void> {
    const answer = await this.request('about', 'get', '/api/v1.0/about', undefined, signal);
    if (answer.status !== 200) throw this.fail(answer, `answered HTTP ${answer.status}`);
    if (!isRecord(answer.json) || answer.json.version === undefined) {
      throw this.fail(answer, 'answered without "version"');
    }
  }

  /** One call; no answer at all is a GreenwaveError (the exchange has logged it). */
  private async request(
    operation: string,
    method: 'get' | 'post',
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<Answer> {
    const started = Date.now();
    const outcome = await this.upstream.send(operation, `${this.baseUrl}${path}`, {
      method,
      headers: { accept: 'application/json' },
      ...(body !== undefined ? { json: body } : {}),
      retries: 0,
      ...(signal ? { signal } : {}),
    });
    if (outcome.kind === 'failed') throw failure(operation, outcome.reason, {});
    const json = parseJson(new TextDecoder().decode(outcome.body));
    return { operation, started, status: outcome.status, json };
  }

  /** An answer this adapter cannot use: logged, then a GreenwaveError with Greenwave's JSON. */
  private fail(answer: Answer, reason: string, fields: LogFields = {}): GreenwaveError {
    this.upstream.logFailure(answer.operation, answer.started, answer.status, reason, fields);
    return failure(answer.operation, reason, answer.json);
  }
}

function failure(operation: string, reason: string, json: unknown): GreenwaveError {
  return new GreenwaveError(`Greenwave ${operation} request failed: ${reason}.`, json);
}

/** Greenwave's own error text (`{"message": ...}`), when it gave one. */
function messageOf(json: unknown): string {
  return isRecord(json) && typeof json.message === 'string' && json.message ? ` (${json.message})` : '';
}

/**
 * The PolicyGate port on Greenwave's decision API (SPEC §8). Web APIs
 * only, so it runs on edge runtimes.
 *
 * `timeoutMs` bounds each call as a whole, reading the answer included.
 * Nothing is retried: a decision is cheap to ask again and the caller's
 * request is waiting.
 */
import type { Logger, PolicyGate } from '../../application/ports.js';
import { silentLogger } from '../../application/ports.js';
import { GreenwaveError, GreenwaveUnsatisfiedError } from '../../domain/errors.js';
import { isRecord } from '../../domain/values.js';
import { callUpstream, type FetchLike, RedirectRefused } from '../upstream/call.js';
import { Deadline } from '../upstream/deadline.js';
import { errorCode } from '../upstream/error-code.js';
import { logUpstreamFailure } from '../upstream/failure-log.js';
import { parseJson } from '../upstream/json.js';
import { readTextAtMost } from '../upstream/read-body.js';

export interface GreenwavePolicyGateOptions {
  /** Greenwave base URL, e.g. https://greenwave.example.com */
  url: string;
  /** `decision_context` of every decision, e.g. "osbs_push" */
  context: string;
  /** `product_version` of every decision, e.g. "cvp" */
  productVersion: string;
  timeoutMs?: number;
  logger?: Logger;
  fetch?: FetchLike;
  /** Extra headers for every request (e.g. tracing); read once per call. */
  requestHeaders?: () => Record<string, string>;
}

/** Greenwave's answers are small JSON documents. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

interface Answer {
  status: number;
  /** The parsed JSON, or undefined when the body is not JSON. */
  json: unknown;
}

export class GreenwavePolicyGate implements PolicyGate {
  private readonly baseUrl: string;
  private readonly logger: Logger;

  constructor(private readonly options: GreenwavePolicyGateOptions) {
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.logger = options.logger ?? silentLogger;
  }

  async check(nvr: string): Promise<void> {
    const body = {
      decision_context: this.options.context,
      product_version: this.options.productVersion,
      subject_identifier: nvr,
      subject_type: 'koji_build',
    };
    const { status, json } = await this.request('decision', 'post', '/api/v1.0/decision', body);
    if (status !== 200) {
      throw this.fail('decision', `answered HTTP ${status}${messageOf(json)}`, json, { nvr, status });
    }
    if (!isRecord(json))
      throw this.fail('decision', 'answered something that is not a JSON object', json, { nvr });
    const satisfied = json.policies_satisfied;
    if (satisfied === true) return;
    if (satisfied === false) throw new GreenwaveUnsatisfiedError(nvr, json);
    throw this.fail('decision', 'answered without a boolean "policies_satisfied"', json, { nvr });
  }

  async ping(signal?: AbortSignal): Promise<void> {
    const { status, json } = await this.request('about', 'get', '/api/v1.0/about', undefined, signal);
    if (status !== 200) throw this.fail('about', `answered HTTP ${status}`, json, { status });
    if (!isRecord(json) || json.version === undefined) {
      throw this.fail('about', 'answered without "version"', json, {});
    }
  }

  private async request(
    operation: string,
    method: 'get' | 'post',
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<Answer> {
    const deadline = new Deadline(this.options.timeoutMs, signal);
    try {
      const response = await callUpstream(`${this.baseUrl}${path}`, {
        method,
        json: body,
        headers: { accept: 'application/json', ...this.options.requestHeaders?.() },
        signal: deadline.signal,
        fetch: this.options.fetch,
      });
      const tooLarge = () => new AnswerTooLarge();
      const text = await readTextAtMost(response.body, MAX_ANSWER_BYTES, deadline.signal, tooLarge);
      return { status: response.status, json: parseJson(text) };
    } catch (error) {
      const reason = deadline.expired
        ? `timed out after ${deadline.limitMs} ms`
        : error instanceof AnswerTooLarge
          ? `answered more than ${MAX_ANSWER_BYTES} bytes`
          : error instanceof RedirectRefused
            ? error.message
            : `could not connect${errorCode(error)}`;
      throw this.fail(operation, reason, {}, {}, error);
    } finally {
      deadline.clear();
    }
  }

  private fail(
    operation: string,
    reason: string,
    json: unknown,
    fields: Record<string, unknown>,
    cause?: unknown,
  ): GreenwaveError {
    logUpstreamFailure(this.logger, 'greenwave', operation, { reason, ...fields });
    return new GreenwaveError(`Greenwave ${operation} request failed: ${reason}.`, json, { cause });
  }
}

class AnswerTooLarge extends Error {}

/** Greenwave's own error text (`{"message": ...}`), when it gave one. */
function messageOf(json: unknown): string {
  return isRecord(json) && typeof json.message === 'string' && json.message ? ` (${json.message})` : '';
}

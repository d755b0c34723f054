/**
 * callUpstream's own retry loop, over fake fetches and fake timers: which
 * answers and failures are retried, how long it pauses, what the caller gets
 * back, and that nothing happens once the signal aborts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  callUpstream,
  type FetchLike,
  type RetriedStatus,
  type RetryPolicy,
  type UpstreamRequest,
} from '../../../src/adapters/upstream/call.js';

interface Sent {
  url: string;
  init: RequestInit;
}

/** A fetch that answers from a script, one entry per call (a number is a status, an Error a failure). */
function scripted(script: Array<number | Error | (() => Response)>) {
  const sent: Sent[] = [];
  const cancelled: number[] = [];
  const fetch: FetchLike = async (url, init) => {
    sent.push({ url, init });
    const step = script[Math.min(sent.length, script.length) - 1];
    if (step instanceof Error) throw step;
    if (typeof step === 'function') return step();
    const index = sent.length;
    const body = new ReadableStream<Uint8Array>({
      start: (c) => c.enqueue(new TextEncoder().encode(`answer ${index}`)),
      pull: (c) => c.close(),
      cancel: () => {
        cancelled.push(index);
      },
    });
    return new Response(body, { status: step });
  };
  return { fetch, sent, cancelled };
}

const POLICY: RetryPolicy = { limit: 2, statuses: [502, 503, 504], delayMs: 100 };

function request(fetch: FetchLike, extra: Partial<UpstreamRequest> = {}): UpstreamRequest {
  return { method: 'get', headers: { 'x-a': '1' }, signal: new AbortController().signal, fetch, ...extra };
}

describe('callUpstream', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('without a retry policy', () => {
    it('sends once with the URL and a plain init, and returns any answer', async () => {
      const { fetch, sent } = scripted([503]);
      const response = await callUpstream('http://x/a', request(fetch, { method: 'post', body: 'hi' }));
      expect(response.status).toBe(503);
      expect(sent).toHaveLength(1);
      expect(sent[0]?.url).toBe('http://x/a');
      expect(sent[0]?.init).toMatchObject({ method: 'POST', headers: { 'x-a': '1' }, body: 'hi' });
      expect(sent[0]?.init.signal).toBeInstanceOf(AbortSignal);
    });

    it('rejects with the failure, unchanged', async () => {
      const failure = new TypeError('fetch failed');
      const { fetch, sent } = scripted([failure]);
      await expect(callUpstream('http://x/', request(fetch))).rejects.toBe(failure);
      expect(sent).toHaveLength(1);
    });

    it('sends `json` as JSON with application/json, unless the caller chose a content type', async () => {
      const { fetch, sent } = scripted([200, 200]);
      await callUpstream('http://x/', request(fetch, { method: 'post', json: { a: [1, 'é'] } }));
      await callUpstream(
        'http://x/',
        request(fetch, { method: 'put', json: 1, headers: { 'Content-Type': 'application/x+json' } }),
      );
      expect(sent[0]?.init.body).toBe('{"a":[1,"é"]}');
      const first = new Headers(sent[0]?.init.headers);
      expect(first.get('content-type')).toBe('application/json');
      expect(first.get('x-a')).toBe('1');
      expect(new Headers(sent[1]?.init.headers).get('content-type')).toBe('application/x+json');
    });

    it('is the global fetch by default', async () => {
      const spy = vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response('ok'));
      try {
        const response = await callUpstream('http://x/', {
          ...request(scripted([]).fetch),
          fetch: undefined,
        });
        expect(await response.text()).toBe('ok');
        expect(spy).toHaveBeenCalledWith('http://x/', expect.objectContaining({ method: 'GET' }));
      } finally {
        spy.mockRestore();
      }
    });
  });

  describe('with a retry policy', () => {
    it('retries the listed statuses after delayMs, then twice that; drops their bodies', async () => {
      const { fetch, sent, cancelled } = scripted([503, 502, 200]);
      const retries: Array<[string, number]> = [];
      const onRetry = (error: Error, attempt: number) => {
        retries.push([`${error.name} ${(error as RetriedStatus).status}`, attempt]);
      };
      const answer = callUpstream('http://x/', request(fetch, { retry: { ...POLICY, onRetry } }));
      await vi.advanceTimersByTimeAsync(99);
      expect(sent).toHaveLength(1);
      expect(cancelled).toEqual([1]);
      await vi.advanceTimersByTimeAsync(1);
      expect(sent).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(199);
      expect(sent).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(1);
      const response = await answer;
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('answer 3');
      expect(sent).toHaveLength(3);
      expect(cancelled).toEqual([1, 2]);
      expect(retries).toEqual([
        ['RetriedStatus 503', 1],
        ['RetriedStatus 502', 2],
      ]);
    });

    it('returns the last answer when every attempt was worth retrying, its body intact', async () => {
      const { fetch, sent, cancelled } = scripted([504]);
      const answer = callUpstream('http://x/', request(fetch, { retry: POLICY }));
      await vi.runAllTimersAsync();
      const response = await answer;
      expect(response.status).toBe(504);
      expect(await response.text()).toBe('answer 3');
      expect(sent).toHaveLength(3);
      expect(cancelled).toEqual([1, 2]);
    });

    it('does not retry other statuses', async () => {
      const { fetch, sent } = scripted([500]);
      const response = await callUpstream('http://x/', request(fetch, { retry: POLICY }));
      expect(response.status).toBe(500);
      expect(sent).toHaveLength(1);
    });

    it('retries failures without an answer, and rejects with the last one', async () => {
      const failures = [new TypeError('one'), new TypeError('two'), new TypeError('three')];
      const { fetch, sent } = scripted(failures);
      const attempts: number[] = [];
      const answer = callUpstream(
        'http://x/',
        request(fetch, { retry: { ...POLICY, onRetry: (_e, attempt) => attempts.push(attempt) } }),
      );
      const outcome = expect(answer).rejects.toBe(failures[2]);
      await vi.runAllTimersAsync();
      await outcome;
      expect(sent).toHaveLength(3);
      expect(attempts).toEqual([1, 2]);
    });

    it('retries only the failures retryFailure accepts', async () => {
      const refused = new TypeError('fetch failed');
      const other = new RangeError('no');
      const { fetch, sent } = scripted([refused, other, 200]);
      const answer = callUpstream(
        'http://x/',
        request(fetch, { retry: { ...POLICY, retryFailure: (e) => e instanceof TypeError } }),
      );
      const outcome = expect(answer).rejects.toBe(other);
      await vi.runAllTimersAsync();
      await outcome;
      expect(sent).toHaveLength(2);
    });

    it.each([
      ['seconds', '1', 1000],
      ['seconds beyond the cap', '60', 4000],
      ['an HTTP date', 'DATE+2', 2000],
      ['something unreadable (waits the cap)', 'soon', 4000],
    ])('waits Retry-After in %s on the statuses that honour it', async (_what, header, waitMs) => {
      vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
      const value = header.startsWith('DATE+')
        ? new Date(Date.now() + Number(header.slice(5)) * 1000).toUTCString()
        : header;
      const { fetch, sent } = scripted([
        () => new Response(null, { status: 503, headers: { 'Retry-After': value } }),
        200,
      ]);
      const retry = { ...POLICY, retryAfter: { statuses: [429, 503], maxMs: 4000 } };
      const answer = callUpstream('http://x/', request(fetch, { retry }));
      await vi.advanceTimersByTimeAsync(waitMs - 1);
      expect(sent).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect((await answer).status).toBe(200);
      expect(sent).toHaveLength(2);
    });

    it('ignores Retry-After on statuses not listed for it, and without a retryAfter policy', async () => {
      for (const retryAfter of [{ statuses: [429], maxMs: 4000 }, undefined]) {
        const { fetch, sent } = scripted([
          () => new Response(null, { status: 503, headers: { 'Retry-After': '3' } }),
          200,
        ]);
        const answer = callUpstream('http://x/', request(fetch, { retry: { ...POLICY, retryAfter } }));
        await vi.advanceTimersByTimeAsync(100);
        expect((await answer).status).toBe(200);
        expect(sent).toHaveLength(2);
      }
    });

    it('an abort during the pause rejects with its reason at once, and nothing more is sent', async () => {
      const controller = new AbortController();
      const { fetch, sent, cancelled } = scripted([503, 200]);
      const onRetry = vi.fn();
      const answer = callUpstream(
        'http://x/',
        request(fetch, { signal: controller.signal, retry: { ...POLICY, onRetry } }),
      );
      await vi.advanceTimersByTimeAsync(50);
      const reason = new Error('deadline');
      controller.abort(reason);
      await expect(answer).rejects.toBe(reason);
      await vi.runAllTimersAsync();
      expect(sent).toHaveLength(1);
      expect(cancelled).toEqual([1]);
      expect(onRetry).not.toHaveBeenCalled();
    });

    it('after an abort, a failure is not retried and a retryable answer is returned as it is', async () => {
      const controller = new AbortController();
      const reason = new Error('deadline');
      const failing: FetchLike = async () => {
        controller.abort(reason);
        throw reason;
      };
      await expect(
        callUpstream('http://x/', request(failing, { signal: controller.signal, retry: POLICY })),
      ).rejects.toBe(reason);

      const late = new AbortController();
      let calls = 0;
      const answering: FetchLike = async () => {
        calls++;
        late.abort();
        return new Response('busy', { status: 503 });
      };
      const response = await callUpstream(
        'http://x/',
        request(answering, { signal: late.signal, retry: POLICY }),
      );
      expect(response.status).toBe(503);
      expect(calls).toBe(1);
    });

    it('a limit of 0 sends once', async () => {
      const { fetch, sent } = scripted([503]);
      const response = await callUpstream('http://x/', request(fetch, { retry: { ...POLICY, limit: 0 } }));
      expect(response.status).toBe(503);
      expect(sent).toHaveLength(1);
    });
  });
});

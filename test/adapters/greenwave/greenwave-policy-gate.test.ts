/** Greenwave-specific behaviour of the adapter, beyond the PolicyGate contract. */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GreenwavePolicyGate,
  type GreenwavePolicyGateOptions,
} from '../../../src/adapters/greenwave/greenwave-policy-gate.js';
import { GreenwaveError, GreenwaveUnsatisfiedError, type OmpsError } from '../../../src/domain/errors.js';
import { type GreenwaveEmulator, startGreenwaveEmulator } from '../../emulators/greenwave-emulator.js';
import { caught as caughtAny } from '../../support/failure.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { transports } from '../../support/transports.js';

const caught = (promise: Promise<unknown>) => caughtAny<OmpsError>(promise);

const NVR = 'etcd-operator-metadata-0.9.2-1';

describe.each(transports)('GreenwavePolicyGate over %s', (_transport, transport) => {
  let greenwave: GreenwaveEmulator;
  let logger: RecordingLogger;
  const make = (options: Partial<GreenwavePolicyGateOptions> = {}) =>
    new GreenwavePolicyGate({
      url: greenwave.url,
      context: 'osbs_push',
      productVersion: 'cvp',
      timeoutMs: 5_000,
      logger,
      fetch: transport,
      ...options,
    });

  beforeEach(async () => {
    greenwave = await startGreenwaveEmulator({ context: 'osbs_push', productVersion: 'cvp' });
    logger = new RecordingLogger();
  });

  afterEach(async () => {
    await greenwave.close();
  });

  it('posts exactly the decision request Greenwave expects', async () => {
    await make({ url: `${greenwave.url}/`, requestHeaders: () => ({ 'x-request-id': 'req-9' }) }).check(NVR);
    const [request] = greenwave.state.decisionRequests();
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/api/v1.0/decision');
    expect(request?.headers['content-type']).toMatch(/^application\/json/);
    expect(request?.headers['x-request-id']).toBe('req-9');
    expect(request?.json).toEqual({
      decision_context: 'osbs_push',
      product_version: 'cvp',
      subject_identifier: NVR,
      subject_type: 'koji_build',
    });
  });

  it('keeps the whole decision in greenwave_response when unsatisfied', async () => {
    greenwave.state.answer(NVR, { kind: 'unsatisfied', summary: '1 of 1 required test results missing' });
    const error = await caught(make().check(NVR));
    expect(error).toBeInstanceOf(GreenwaveUnsatisfiedError);
    expect(error.extra?.value).toMatchObject({
      policies_satisfied: false,
      applicable_policies: ['osbs_push_cvp'],
      unsatisfied_requirements: [
        expect.objectContaining({ type: 'test-result-missing', subject_identifier: NVR }),
      ],
    });
  });

  it('turns a 500 into GreenwaveError with Greenwave’s JSON', async () => {
    greenwave.state.answer(NVR, { kind: 'status', status: 500, body: { message: 'database unavailable' } });
    const error = await caught(make().check(NVR));
    expect(error).toBeInstanceOf(GreenwaveError);
    expect(error.id).toBe('GreenwaveError');
    expect(error.message).toBe(
      'Greenwave decision request failed: answered HTTP 500 (database unavailable).',
    );
    expect(error.extra).toEqual({ field: 'greenwave_response', value: { message: 'database unavailable' } });
    expect(logger.warnings).toEqual([
      {
        message: 'upstream call failed',
        fields: expect.objectContaining({
          upstream: 'greenwave',
          operation: 'decision',
          status: 500,
          nvr: NVR,
        }),
      },
    ]);
  });

  it('turns an unknown decision context (404) into GreenwaveError', async () => {
    const error = await caught(make({ context: 'unknown_context' }).check(NVR));
    expect(error).toBeInstanceOf(GreenwaveError);
    expect(error.message).toContain('answered HTTP 404');
    expect(error.extra?.value).toMatchObject({ message: expect.stringContaining('unknown_context') });
  });

  it('turns a non-JSON 200 into GreenwaveError with an empty greenwave_response', async () => {
    greenwave.state.answer(NVR, { kind: 'non-json' });
    const error = await caught(make().check(NVR));
    expect(error).toBeInstanceOf(GreenwaveError);
    expect(error.message).toBe(
      'Greenwave decision request failed: answered something that is not a JSON object.',
    );
    expect(error.extra).toEqual({ field: 'greenwave_response', value: {} });
  });

  it('turns a non-JSON error page into GreenwaveError', async () => {
    greenwave.state.answer(NVR, { kind: 'status', status: 502, body: '<html>Bad Gateway</html>' });
    const error = await caught(make().check(NVR));
    expect(error).toBeInstanceOf(GreenwaveError);
    expect(error.message).toBe('Greenwave decision request failed: answered HTTP 502.');
    expect(error.extra?.value).toEqual({});
  });

  it('turns an answer without policies_satisfied into GreenwaveError keeping the answer', async () => {
    greenwave.state.answer(NVR, { kind: 'missing-key' });
    const error = await caught(make().check(NVR));
    expect(error).toBeInstanceOf(GreenwaveError);
    expect(error.message).toContain('policies_satisfied');
    expect(error.extra?.value).toMatchObject({ summary: 'All required tests passed' });
    expect(error.extra?.value).not.toHaveProperty('policies_satisfied');
  });

  it('turns a non-boolean policies_satisfied into GreenwaveError', async () => {
    greenwave.state.answer(NVR, { kind: 'status', status: 200, body: { policies_satisfied: 'true' } });
    const error = await caught(make().check(NVR));
    expect(error).toBeInstanceOf(GreenwaveError);
    expect(error.extra?.value).toEqual({ policies_satisfied: 'true' });
  });

  it('times out a slow Greenwave within the budget', async () => {
    greenwave.state.delayMs = 10_000;
    const started = Date.now();
    const error = await caught(make({ timeoutMs: 300 }).check(NVR));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error).toBeInstanceOf(GreenwaveError);
    expect(error.message).toBe('Greenwave decision request failed: timed out after 300 ms.');
    expect(error.extra?.value).toEqual({});
  });

  it('turns a refused connection into GreenwaveError', async () => {
    const gate = make();
    await greenwave.close();
    const error = await caught(gate.check(NVR));
    expect(error).toBeInstanceOf(GreenwaveError);
    expect(error.message).toBe('Greenwave decision request failed: could not connect (ECONNREFUSED).');
    expect(logger.warnings.at(-1)?.fields).toMatchObject({ upstream: 'greenwave', operation: 'decision' });
  });

  it("names a connection failure by its code only, never by the runtime's message", async () => {
    const failing = async () => {
      throw new TypeError('fetch failed', {
        cause: new Error('connect to https://user:s3cret@greenwave/ failed'),
      });
    };
    const error = await caught(make({ fetch: failing }).check(NVR));
    expect(error).toBeInstanceOf(GreenwaveError);
    expect(error.message).toBe('Greenwave decision request failed: could not connect.');
  });

  describe('ping', () => {
    it('asks /api/v1.0/about', async () => {
      await make().ping();
      expect(greenwave.state.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v1.0/about']);
    });

    it.each([
      ['a 503', { kind: 'status', status: 503 } as const, 'answered HTTP 503'],
      ['a non-JSON answer', { kind: 'non-json' } as const, 'without "version"'],
      ['an answer without version', { kind: 'missing-key' } as const, 'without "version"'],
    ])('rejects with the reason for %s', async (_, answer, reason) => {
      greenwave.state.aboutAnswer = answer;
      await expect(make().ping()).rejects.toThrow(reason);
    });

    it('rejects when Greenwave is gone', async () => {
      const gate = make();
      await greenwave.close();
      await expect(gate.ping()).rejects.toThrow('could not connect');
    });

    it('rejects when Greenwave is too slow', async () => {
      greenwave.state.delayMs = 10_000;
      await expect(make({ timeoutMs: 200 }).ping()).rejects.toThrow('timed out after 200 ms');
    });
  });
});

/**
 * What every PolicyGate must do, whoever implements it (the in-memory fake and
 * the Greenwave adapter against the emulator). The contract owns the data;
 * each subject seeds it its own way.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PolicyGate } from '../../src/application/ports.js';
import { GreenwaveUnsatisfiedError, type OmpsError } from '../../src/domain/errors.js';

export interface PolicyGateSeed {
  /** A build that satisfies the policies. */
  satisfied: string;
  /** A build that does not, and the summary the gate gives. */
  unsatisfied: { nvr: string; summary: string };
}

export interface PolicyGateSubject {
  policyGate: PolicyGate;
  cleanup(): Promise<void> | void;
}

export const policyGateSeed: PolicyGateSeed = {
  satisfied: 'contract-operator-metadata-1.0-1',
  unsatisfied: { nvr: 'contract-operator-metadata-0.9-1', summary: 'Of 2 required tests, 1 test failed' },
};

export function policyGateContract(
  name: string,
  makeSubject: (seed: PolicyGateSeed) => Promise<PolicyGateSubject>,
): void {
  describe(`PolicyGate contract: ${name}`, () => {
    let subject: PolicyGateSubject;

    beforeEach(async () => {
      subject = await makeSubject(policyGateSeed);
    });

    afterEach(async () => {
      await subject.cleanup();
    });

    it('resolves for a build that satisfies the policies', async () => {
      await expect(subject.policyGate.check(policyGateSeed.satisfied)).resolves.toBeUndefined();
    });

    it('refuses an unsatisfied build with GreenwaveUnsatisfiedError and the gate answer', async () => {
      const { nvr, summary } = policyGateSeed.unsatisfied;
      const error = await subject.policyGate.check(nvr).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(GreenwaveUnsatisfiedError);
      const omps = error as OmpsError;
      expect(omps.id).toBe('GreenwaveUnsatisfiedError');
      expect(omps.message).toContain(nvr);
      expect(omps.message).toContain(summary);
      expect(omps.extra?.field).toBe('greenwave_response');
      expect(omps.extra?.value).toMatchObject({
        policies_satisfied: false,
        summary,
        unsatisfied_requirements: expect.any(Array),
      });
    });

    it('answers ping when available', async () => {
      await expect(subject.policyGate.ping()).resolves.toBeUndefined();
    });
  });
}

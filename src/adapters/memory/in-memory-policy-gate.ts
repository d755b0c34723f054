/** A policy gate kept in memory: every build satisfies the policies unless told otherwise. */
import type { PolicyGate } from '../../application/ports.js';
import { GreenwaveUnsatisfiedError } from '../../domain/errors.js';

export class InMemoryPolicyGate implements PolicyGate {
  private readonly refused = new Map<string, string>();
  readonly asked: string[] = [];
  unavailable: string | undefined;

  refuse(nvr: string, summary = 'Of 1 required test, 1 test failed'): this {
    this.refused.set(nvr, summary);
    return this;
  }

  async check(nvr: string): Promise<void> {
    this.asked.push(nvr);
    const summary = this.refused.get(nvr);
    if (summary !== undefined) {
      throw new GreenwaveUnsatisfiedError(nvr, {
        policies_satisfied: false,
        summary,
        unsatisfied_requirements: [],
      });
    }
  }

  async ping(): Promise<void> {
    if (this.unavailable) throw new Error(this.unavailable);
  }
}

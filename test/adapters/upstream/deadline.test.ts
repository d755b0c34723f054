import { describe, expect, it } from 'vitest';
import { Deadline, DeadlineExceeded } from '../../../src/adapters/upstream/deadline.js';

describe('Deadline', () => {
  it('expires after its own time, saying so', async () => {
    const deadline = new Deadline(20);
    await new Promise((r) => deadline.signal.addEventListener('abort', r));
    expect(deadline.expired).toBe(true);
    expect(deadline.limitMs).toBe(20);
    expect(deadline.signal.reason).toBeInstanceOf(DeadlineExceeded);
    deadline.clear();
  });

  it('ends as soon as its parent aborts (a caller that stops waiting sooner), with the parent’s reason', () => {
    const parent = new AbortController();
    const deadline = new Deadline(60_000, parent.signal);
    expect(deadline.expired).toBe(false);
    const reason = new Error('health check gave up');
    parent.abort(reason);
    expect(deadline.expired).toBe(true);
    expect(deadline.signal.reason).toBe(reason);
    expect(deadline.limitMs).toBeLessThan(60_000);
    deadline.clear();
  });

  it('starts ended under an aborted parent; after clear() a parent abort no longer reaches it', () => {
    const aborted = new AbortController();
    aborted.abort();
    expect(new Deadline(1_000, aborted.signal).expired).toBe(true);

    const parent = new AbortController();
    const deadline = new Deadline(undefined, parent.signal);
    deadline.clear();
    parent.abort();
    expect(deadline.expired).toBe(false);
  });
});

/**
 * A whole-call deadline: one AbortSignal that bounds every attempt of an
 * upstream call, the pauses between retries and the reading of the answer's
 * body (a per-attempt timeout, like ky's was, would stop at the response
 * headers).
 */

/**
 * An AbortSignal that fires `ms` after it is made (never, without `ms`), or
 * when `parent` aborts (a caller that stops waiting sooner, e.g. a health
 * check); clear() releases the timer.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout> | undefined;
  private readonly started = Date.now();
  private endedAfterMs: number | undefined;
  private readonly parent: AbortSignal | undefined;
  private readonly onParentAbort = () => this.end(this.parent?.reason, Date.now() - this.started);

  constructor(
    readonly ms: number | undefined,
    parent?: AbortSignal,
  ) {
    this.parent = parent;
    if (ms !== undefined) {
      this.timer = setTimeout(() => this.end(new DeadlineExceeded(ms), ms), ms);
    }
    if (parent?.aborted) this.end(parent.reason, 0);
    else parent?.addEventListener('abort', this.onParentAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The time is up: whatever error the call then surfaced, the deadline is why. */
  get expired(): boolean {
    return this.controller.signal.aborted;
  }

  /** How long the call was given once it expired: `ms`, or less when the parent ended it sooner. */
  get limitMs(): number {
    return this.endedAfterMs ?? this.ms ?? 0;
  }

  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.parent?.removeEventListener('abort', this.onParentAbort);
  }

  private end(reason: unknown, afterMs: number): void {
    if (this.controller.signal.aborted) return;
    this.endedAfterMs = afterMs;
    this.controller.abort(reason);
  }
}

/** The abort reason of an expired Deadline. */
export class DeadlineExceeded extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/**
 * Resolves like `promise`, or rejects with the signal's reason as soon as it
 * aborts, even if `promise` would hang. `promise` stays observed either way.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

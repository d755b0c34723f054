/**
 * The BundleEngine on Node: bundle jobs run in a small pool of threads (node:worker_threads) so
 * that the thread answering HTTP never unzips, parses or validates.
 *
 * - At most `size` jobs run at once, one per thread; threads start on demand
 *   (none at start-up) and stop after `idleMs` without work, so an idle
 *   service holds no engine heaps.
 * - At most `queueLimit` further jobs wait, in arrival order; past that a job
 *   is refused at once with ServiceBusyError (503 + Retry-After), so memory
 *   stays bounded under any load.
 * - A thread that dies (a crash, its heap limit) fails only its own job, as an
 *   unexpected error; the next job gets a fresh thread.
 * - A job still running after `jobTimeoutMs` (bundle_job_timeout) fails with
 *   BundleJobTimeoutError and its thread is terminated (V8 stops even a
 *   backtracking regexp); the next job gets a fresh thread.
 * - `close()` stops every thread and refuses what still waits.
 */
import { type ResourceLimits, Worker } from 'node:worker_threads';
import type { BundleEngine, BundleJob, BundleWork, Logger } from '../../application/ports.js';
import { silentLogger } from '../../application/ports.js';
import { BundleJobTimeoutError, ServiceBusyError } from '../../domain/errors.js';
import { decodeError, decodeWork, encodeJob, type ThreadAnswer } from './wire.js';

export interface ThreadPoolOptions {
  /** Threads, i.e. jobs at once. */
  size: number;
  /** Jobs that may wait for a thread; more are refused with ServiceBusyError. */
  queueLimit: number;
  /** Told to refused callers (seconds). Default 2. */
  retryAfterSeconds?: number;
  /** A thread idle this long is stopped. Default 30 s. */
  idleMs?: number;
  /** A thread whose V8 heap is larger than this after a job is stopped soon. Default 64 MiB. */
  recycleHeapBytes?: number;
  /**
   * Per-thread V8 limits. Default: a 24 MB young generation (8 MB semi-spaces), see
   * BUNDLE_THREAD_LIMITS. A job past a heap limit usually ends only its thread, but
   * Node cannot promise it (nodejs/node#47224), so no old-generation limit is set:
   * zipfile_max_uncompressed_size bounds a job instead.
   */
  resourceLimits?: ResourceLimits;
  /** A job running longer than this is stopped with its thread. Default 60 s. */
  jobTimeoutMs?: number;
  /** The thread's script; the compiled bundle-job-thread.js next to this file by default. */
  threadUrl?: URL;
  logger?: Logger;
}

/**
 * Half of V8's default young generation: the same CPU per job for small, 1.6 MB
 * and 6 MB bundles (measured), and dead buffers of a job are freed by the next
 * scavenge instead of piling up in 16 MB semi-spaces.
 */
export const BUNDLE_THREAD_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 24 };

interface Task {
  job: BundleJob;
  resolve(work: BundleWork): void;
  reject(error: unknown): void;
}

interface Slot {
  thread: Worker;
  task?: Task;
  idleTimer?: ReturnType<typeof setTimeout>;
  /** Ends the running job when it is overdue. */
  deadline?: ReturnType<typeof setTimeout>;
  failure?: Error;
  /** Its heap was past recycleHeapBytes after its last job. */
  bigHeap?: boolean;
}

export class ThreadPoolBundleEngine implements BundleEngine {
  private readonly slots = new Set<Slot>();
  private readonly queue: Task[] = [];
  private closed = false;
  private readonly threadUrl: URL;
  private readonly logger: Logger;

  constructor(private readonly options: ThreadPoolOptions) {
    if (!(Number.isInteger(options.size) && options.size >= 1)) throw new TypeError('pool size must be ≥ 1');
    if (!(Number.isInteger(options.queueLimit) && options.queueLimit >= 0))
      throw new TypeError('queue limit must be ≥ 0');
    this.threadUrl = options.threadUrl ?? new URL('./bundle-job-thread.js', import.meta.url);
    this.logger = options.logger ?? silentLogger;
  }

  prepare(job: BundleJob): Promise<BundleWork> {
    return new Promise<BundleWork>((resolve, reject) => {
      if (this.closed) return reject(new ServiceBusyError(this.retryAfter));
      const task: Task = { job, resolve, reject };
      const slot = this.freeSlot();
      if (slot) this.run(slot, task);
      else if (this.queue.length < this.options.queueLimit) this.queue.push(task);
      else reject(new ServiceBusyError(this.retryAfter));
    });
  }

  /** Threads running, jobs being worked on, jobs waiting. */
  stats(): { threads: number; busy: number; queued: number } {
    let busy = 0;
    for (const slot of this.slots) if (slot.task) busy++;
    return { threads: this.slots.size, busy, queued: this.queue.length };
  }

  /** Stops every thread; jobs in flight or waiting are refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(new ServiceBusyError(this.retryAfter));
    const stopped = Promise.all([...this.slots].map((slot) => slot.thread.terminate()));
    // Shutdown must end even if a thread does not acknowledge its termination.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([stopped, new Promise((r) => (timer = setTimeout(r, 5_000)))]);
    clearTimeout(timer);
  }

  private get retryAfter(): number {
    return this.options.retryAfterSeconds ?? 2;
  }

  private freeSlot(): Slot | undefined {
    for (const slot of this.slots) if (!slot.task) return slot;
    return this.slots.size < this.options.size ? this.spawn() : undefined;
  }

  private spawn(): Slot {
    const thread = new Worker(this.threadUrl, {
      resourceLimits: this.options.resourceLimits ?? BUNDLE_THREAD_LIMITS,
    });
    const slot: Slot = { thread };
    this.slots.add(slot);
    thread.on('message', (answer: ThreadAnswer) => this.finish(slot, answer));
    thread.on('error', (error) => {
      slot.failure = error;
    });
    thread.on('exit', (code) => this.lost(slot, code));
    return slot;
  }

  private run(slot: Slot, task: Task): void {
    clearTimeout(slot.idleTimer);
    slot.task = task;
    slot.thread.ref();
    slot.deadline = setTimeout(() => this.overdue(slot), this.options.jobTimeoutMs ?? 60_000);
    const { message, transfer } = encodeJob(task.job);
    try {
      try {
        slot.thread.postMessage(message, transfer);
      } catch {
        // A buffer that cannot be transferred (e.g. Node's shared pool) is copied instead.
        slot.thread.postMessage(message);
      }
    } catch (error) {
      clearTimeout(slot.deadline);
      slot.task = undefined;
      task.reject(error);
      this.next(slot);
    }
  }

  private finish(slot: Slot, answer: ThreadAnswer): void {
    clearTimeout(slot.deadline);
    const task = slot.task;
    slot.task = undefined;
    if (task) {
      if (answer.ok) task.resolve(decodeWork(answer.work));
      else task.reject(decodeError(answer.error));
    }
    const heap = answer.heapBytes ?? 0;
    const recycle = this.options.recycleHeapBytes ?? 64 * 1024 * 1024;
    if (heap > 4 * recycle) {
      this.retire(slot);
      const waiting = this.queue.shift();
      if (waiting) this.run(this.spawn(), waiting);
      return;
    }
    slot.bigHeap = heap > recycle;
    this.next(slot);
  }

  /** Hands the free slot the next waiting job, or lets it idle (unref'd) until it is stopped. */
  private next(slot: Slot): void {
    const task = this.queue.shift();
    if (task) {
      this.run(slot, task);
      return;
    }
    slot.thread.unref();
    slot.idleTimer = setTimeout(
      () => {
        if (!slot.task) this.retire(slot);
      },
      slot.bigHeap ? 1_000 : (this.options.idleMs ?? 30_000),
    );
    slot.idleTimer.unref();
  }

  /** Stops a thread without a job; it is forgotten at once, so no job can be handed to it meanwhile. */
  private retire(slot: Slot): void {
    clearTimeout(slot.idleTimer);
    this.slots.delete(slot);
    slot.thread.removeAllListeners('exit');
    void slot.thread.terminate();
  }

  /** The running job is past its deadline: it fails, its thread is stopped and forgotten, the next job gets a new one. */
  private overdue(slot: Slot): void {
    const task = slot.task;
    if (!task) return;
    slot.task = undefined;
    this.slots.delete(slot);
    slot.thread.removeAllListeners('message');
    slot.thread.removeAllListeners('exit');
    void slot.thread.terminate();
    const limitSeconds = (this.options.jobTimeoutMs ?? 60_000) / 1000;
    this.logger.error('a bundle job ran past bundle_job_timeout; its thread was stopped', {
      timeout_s: limitSeconds,
    });
    task.reject(new BundleJobTimeoutError(limitSeconds));
    if (this.closed) return;
    const waiting = this.queue.shift();
    if (waiting) this.run(this.spawn(), waiting);
  }

  private lost(slot: Slot, code: number): void {
    clearTimeout(slot.idleTimer);
    clearTimeout(slot.deadline);
    this.slots.delete(slot);
    const task = slot.task;
    if (!task) return;
    const reason = slot.failure ? `${slot.failure.name}: ${slot.failure.message}` : `exit code ${code}`;
    this.logger.error('a bundle thread stopped during a job', { reason });
    task.reject(new Error(`A bundle thread stopped during the job (${reason}).`));
    if (this.closed) return;
    const waiting = this.queue.shift();
    if (waiting) this.run(this.spawn(), waiting);
  }
}

/**
 * The entry of one bundle worker thread: runs one BundleJob at a time with the
 * fflate archive and posts back the work (its byte buffers transferred) or
 * the failure. The pool sends the next job only after the answer.
 */
import { setPriority } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { runBundleJob } from '../../application/bundle-job.js';
import type { BundleJob } from '../../application/ports.js';
import { FflateArchive } from '../fflate/fflate-archive.js';
import { encodeError, encodeWork, type WorkerAnswer } from './wire.js';

const BUNDLE_THREAD_NICENESS = 10;

const port = parentPort;
if (!port) throw new Error('bundle-job-worker must run in a worker thread');
const archive = new FflateArchive();

// On Linux a thread has its own nice value: bundle threads yield the cores to the
// event loop, so health checks and hand-offs are answered first on a busy machine.
try {
  setPriority(BUNDLE_THREAD_NICENESS);
} catch {
  // Not permitted or not supported here: same priority as the event loop.
}

port.on('message', async (job: BundleJob) => {
  let answer: WorkerAnswer;
  let transfer: ArrayBuffer[] = [];
  try {
    ({ answer, transfer } = encodeWork(await runBundleJob(archive, job)));
  } catch (error) {
    answer = { ok: false, error: encodeError(error) };
  }
  port.postMessage({ ...answer, heapBytes: getHeapStatistics().total_heap_size }, transfer);
});

/**
 * What crosses the thread boundary: a BundleJob one way, its BundleWork or
 * failure the other. Errors do not keep their class through postMessage, so
 * an OmpsError travels as id/message/extra and is rebuilt with its class where
 * the use case or the edge looks at it; anything else travels as a bare
 * description and becomes a plain Error (an InternalServerError at the edge,
 * its stack only in the log). Byte buffers are transferred, not copied.
 */
import type { BundleJob, BundleWork } from '../../application/ports.js';
import {
  type ErrorId,
  type ExtraField,
  OmpsError,
  PackageValidationError,
  UploadedFileError,
  type ValidationInfo,
} from '../../domain/errors.js';

export type WireError =
  | { kind: 'omps'; id: ErrorId; message: string; extra?: { field: ExtraField; value: unknown } }
  | { kind: 'other'; name: string; message: string; stack?: string };

export type WireWork = Omit<BundleWork, 'verdict'> & {
  verdict: Extract<BundleWork['verdict'], { ok: true }> | { ok: false; error: WireError };
};

/** `heapBytes`: the thread's V8 heap after the job (the pool replaces a thread that grew too big). */
export type ThreadAnswer = ({ ok: true; work: WireWork } | { ok: false; error: WireError }) & {
  heapBytes?: number;
};

export function encodeError(error: unknown): WireError {
  if (error instanceof OmpsError) {
    return {
      kind: 'omps',
      id: error.id,
      message: error.message,
      ...(error.extra ? { extra: error.extra } : {}),
    };
  }
  if (error instanceof Error) {
    return {
      kind: 'other',
      name: error.name,
      message: error.message,
      ...(error.stack ? { stack: error.stack } : {}),
    };
  }
  return { kind: 'other', name: 'Error', message: String(error) };
}

export function decodeError(wire: WireError): Error {
  if (wire.kind === 'other') {
    const error = new Error(`${wire.name} in a bundle thread: ${wire.message}`);
    if (wire.stack) error.stack = wire.stack;
    return error;
  }
  switch (wire.id) {
    case 'PackageValidationError':
      return new PackageValidationError(wire.message, (wire.extra?.value ?? {}) as ValidationInfo);
    case 'OMPSUploadedFileError':
      return new UploadedFileError(wire.message);
    default:
      return new OmpsError(wire.id, wire.message, wire.extra);
  }
}

export function encodeWork(work: BundleWork): { answer: ThreadAnswer; transfer: ArrayBuffer[] } {
  const { verdict } = work;
  const wire: WireWork = verdict.ok
    ? { ...work, verdict }
    : { ...work, verdict: { ok: false, error: encodeError(verdict.error) } };
  const transfer = verdict.ok
    ? buffersOf([
        ...verdict.bundle.files.map((f) => f.data),
        ...(verdict.packed ? [verdict.packed] : []),
        ...(verdict.images?.images ?? []).flatMap(({ image, files }) => [
          ...[image.manifest, image.config, ...image.layers].map((blob) => blob.data),
          ...files.map((f) => f.data),
        ]),
      ])
    : [];
  return { answer: { ok: true, work: wire }, transfer };
}

export function decodeWork(wire: WireWork): BundleWork {
  const { verdict } = wire;
  return verdict.ok
    ? { ...wire, verdict }
    : { ...wire, verdict: { ok: false, error: decodeError(verdict.error) } };
}

/** The job's message, and the buffer to transfer with it (none when the bytes do not own a plain ArrayBuffer). */
export function encodeJob(job: BundleJob): { message: BundleJob; transfer: ArrayBuffer[] } {
  return { message: job, transfer: buffersOf([job.bytes]) };
}

/** Each distinct ArrayBuffer once (a buffer listed twice cannot be transferred). */
function buffersOf(views: readonly Uint8Array[]): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  for (const view of views) {
    if (view.buffer instanceof ArrayBuffer && view.buffer.byteLength > 0) seen.add(view.buffer);
  }
  return [...seen];
}

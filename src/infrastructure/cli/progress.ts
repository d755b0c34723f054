/**
 * Upload progress on a terminal: the body is handed to fetch as a stream whose
 * reads are counted, and a one-line meter on stderr appears only when the
 * upload lasts more than a moment (and only when stderr is a TTY).
 */

const CHUNK = 64 * 1024;
const SHOW_AFTER_MS = 400;
const REFRESH_MS = 100;

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export interface Meter {
  readonly body: ReadableStream<Uint8Array>;
  /** Clears the meter line (call when the answer came, or the call failed). */
  done(): void;
}

export interface MeterOptions {
  /** Where the meter goes (default stderr); nothing is written unless it is a TTY. */
  out?: Pick<NodeJS.WriteStream, 'isTTY' | 'write'>;
  /** How long an upload runs before the meter appears. */
  showAfterMs?: number;
}

export function meteredBody(bytes: Uint8Array, label: string, options: MeterOptions = {}): Meter {
  const out = options.out ?? process.stderr;
  const showAfter = options.showAfterMs ?? SHOW_AFTER_MS;
  const started = Date.now();
  let sent = 0;
  let shown = false;
  let lastDraw = 0;
  const draw = (force = false) => {
    const now = Date.now();
    if (!out.isTTY || now - started < showAfter || (!force && now - lastDraw < REFRESH_MS)) return;
    lastDraw = now;
    shown = true;
    const percent = bytes.length === 0 ? 100 : Math.floor((sent / bytes.length) * 100);
    const tail = sent >= bytes.length ? ', waiting for the service' : '';
    out.write(`\r\x1b[KUploading ${label}: ${percent}% (${size(sent)} of ${size(bytes.length)})${tail}`);
  };
  const timer = setInterval(() => draw(true), Math.max(showAfter, REFRESH_MS));
  timer.unref();
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= bytes.length) {
        controller.close();
        draw(true);
        return;
      }
      const chunk = bytes.subarray(sent, sent + CHUNK);
      sent += chunk.length;
      controller.enqueue(chunk);
      draw();
    },
  });
  return {
    body,
    done() {
      clearInterval(timer);
      if (shown) out.write('\r\x1b[K');
    },
  };
}

/** Structured JSON-lines logging to the console (works on Node and edge runtimes). */
import type { LogFields, Logger } from '../application/ports.js';
import type { LogLevel } from './config.js';

const RANK = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 } as const;

export type LogSink = (line: string) => void;

/** `requestId` tells which request a line belongs to, when the runtime can carry it. */
export function createLogger(
  level: LogLevel,
  sink: LogSink = (line) => console.log(line),
  requestId: () => string | undefined = () => undefined,
): Logger {
  const min = RANK[level];
  const write = (lvl: keyof typeof RANK, message: string, fields?: LogFields) => {
    if (RANK[lvl] < min) return;
    const id = requestId();
    sink(
      JSON.stringify({
        time: new Date().toISOString(),
        level: lvl,
        message,
        ...(id ? { request_id: id } : {}),
        ...redact(fields),
      }),
    );
  };
  return {
    debug: (m, f) => write('DEBUG', m, f),
    info: (m, f) => write('INFO', m, f),
    warn: (m, f) => write('WARNING', m, f),
    error: (m, f) => write('ERROR', m, f),
  };
}

const SECRET_KEYS = /^(authorization|token|oauth_token|oauthtoken|password|secret)$/i;

/** Defence in depth: a field named like a secret is never written, whoever passed it. */
function redact(fields: LogFields | undefined): LogFields {
  if (!fields) return {};
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    out[k] = SECRET_KEYS.test(k) ? '[redacted]' : v;
  }
  return out;
}

/**
 * The secrets no log line may carry (SPEC §2): every configured `oauth_token`,
 * for the life of the service, and the Authorization value of every request
 * in flight, while it runs. The app's logger scrubs them from each line —
 * message and fields, however deep (unexpected-error messages and stacks,
 * upstream answers) — so no call site has to remember to.
 *
 * Requests register their value with hold() (src/adapters/http/hold-secrets.ts)
 * rather than through the request context: that works the same on Node and on
 * edge runtimes without AsyncLocalStorage, and it also covers lines written
 * outside the request's async context. A line may thus lose another request's
 * token too, which costs nothing.
 */

import type { LogFields, Logger } from '../application/ports.js';
import { fromBase64 as fromBase64Bytes, toBase64 } from '../domain/base64.js';

const REDACTED = '[redacted]';
/** Shorter values are not scrubbed: they would blank out ordinary words, and no real token is that short. */
const MIN_LENGTH = 6;
const MAX_DEPTH = 8;

export class LogSecrets {
  /** How many holds (and permanent entries) each form has. */
  private readonly counts = new Map<string, number>();
  /**
   * Forms by their first MIN_LENGTH characters, longest first: a line is
   * scanned once, looking up each position, so the cost of scrubbing does not
   * grow with the number of requests in flight.
   */
  private readonly byPrefix = new Map<string, string[]>();

  constructor(permanent: Iterable<string> = []) {
    for (const secret of permanent) for (const form of secretForms(secret)) this.add(form);
  }

  /** Scrubs `value` (and its other forms) until the returned release is called. */
  hold(value: string): () => void {
    const forms = secretForms(value);
    for (const form of forms) this.add(form);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const form of forms) this.remove(form);
    };
  }

  scrub(text: string): string {
    if (this.byPrefix.size === 0 || text.length < MIN_LENGTH) return text;
    let out = '';
    let copied = 0;
    for (let i = 0; i + MIN_LENGTH <= text.length; ) {
      const candidates = this.byPrefix.get(text.slice(i, i + MIN_LENGTH));
      const form = candidates?.find((f) => text.startsWith(f, i));
      if (form === undefined) {
        i++;
        continue;
      }
      out += text.slice(copied, i) + REDACTED;
      i += form.length;
      copied = i;
    }
    return copied === 0 ? text : out + text.slice(copied);
  }

  /** A copy of `value` with every string in it scrubbed; errors become their scrubbed text. */
  scrubValue(value: unknown, depth = 0): unknown {
    if (this.byPrefix.size === 0) return value;
    if (typeof value === 'string') return this.scrub(value);
    if (value instanceof Error) return this.scrub(String(value));
    if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return value;
    if (Array.isArray(value)) return value.map((v) => this.scrubValue(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[this.scrub(k)] = this.scrubValue(v, depth + 1);
    return out;
  }

  private add(form: string): void {
    const count = this.counts.get(form) ?? 0;
    this.counts.set(form, count + 1);
    if (count > 0) return;
    const prefix = form.slice(0, MIN_LENGTH);
    const forms = [...(this.byPrefix.get(prefix) ?? []), form].sort((a, b) => b.length - a.length);
    this.byPrefix.set(prefix, forms);
  }

  private remove(form: string): void {
    const count = (this.counts.get(form) ?? 1) - 1;
    if (count > 0) {
      this.counts.set(form, count);
      return;
    }
    this.counts.delete(form);
    const prefix = form.slice(0, MIN_LENGTH);
    const forms = (this.byPrefix.get(prefix) ?? []).filter((f) => f !== form);
    if (forms.length > 0) this.byPrefix.set(prefix, forms);
    else this.byPrefix.delete(prefix);
  }
}

/**
 * The forms a secret may take in a log line: as given, without its scheme
 * (`Bearer `, `Basic `, …), base64-encoded, percent-encoded, JSON-escaped,
 * and for Basic credentials, decoded (`user:password`) and the password alone.
 */
export function secretForms(value: string): string[] {
  const whole = value.trim();
  const credential = /^[A-Za-z][\w-]*\s+(\S.*)$/.exec(whole)?.[1];
  const bases = credential ? [whole, credential] : [whole];
  const forms = new Set<string>();
  for (const base of bases) {
    forms.add(base);
    forms.add(base64(base).replace(/=+$/, ''));
    forms.add(encodeURIComponent(base));
    forms.add(JSON.stringify(base).slice(1, -1));
  }
  if (credential && /^basic\s/i.test(whole)) {
    const decoded = fromBase64(credential);
    if (decoded) {
      forms.add(decoded);
      const password = decoded.slice(decoded.indexOf(':') + 1);
      if (decoded.includes(':')) forms.add(password);
    }
  }
  return [...forms].filter((form) => form.length >= MIN_LENGTH);
}

function base64(text: string): string {
  return toBase64(new TextEncoder().encode(text));
}

/** The UTF-8 text a base64 string decodes to, or undefined when it is not that. */
function fromBase64(text: string): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(fromBase64Bytes(text));
  } catch {
    return undefined;
  }
}

/** `logger`, with every secret `secrets` knows scrubbed from each line it is given. */
export function scrubbingLogger(logger: Logger, secrets: LogSecrets): Logger {
  const clean =
    (write: (message: string, fields?: LogFields) => void) => (message: string, fields?: LogFields) =>
      write(secrets.scrub(message), fields && (secrets.scrubValue(fields) as LogFields));
  return {
    debug: clean((m, f) => logger.debug(m, f)),
    info: clean((m, f) => logger.info(m, f)),
    warn: clean((m, f) => logger.warn(m, f)),
    error: clean((m, f) => logger.error(m, f)),
  };
}

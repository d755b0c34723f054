/**
 * One call to the OMPS service, and how its answer is shown: the JSON result
 * on stdout, or the error id, message, validation findings and upstream
 * answer on stderr. A call that gets no answer is an EXIT_USAGE failure.
 */
import { isRecord } from '../../domain/values.js';
import { CliError, EXIT_OK, EXIT_REFUSED, EXIT_USAGE } from './cli-error.js';
import { meteredBody } from './progress.js';
import { isValidationInfo, printFindings, printUpstreamAnswer } from './report.js';

type Json = Record<string, unknown>;

export interface Answer {
  status: number;
  json: Json | undefined;
  text: string;
}

export async function send(
  url: URL,
  token: string,
  upload: { filename: string; bytes: Uint8Array } | undefined,
  timeoutMs: number,
): Promise<Answer> {
  const headers: Record<string, string> = { Authorization: token, Accept: 'application/json' };
  let meter: ReturnType<typeof meteredBody> | undefined;
  let body: ReadableStream<Uint8Array> | undefined;
  if (upload) {
    const form = new FormData();
    const blob = new Blob([upload.bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' });
    form.append('file', blob, upload.filename);
    // Encoded once, so the length is known and the meter counts what is really sent.
    const encoded = new Request(url, { method: 'POST', body: form });
    const bytes = new Uint8Array(await encoded.arrayBuffer());
    headers['Content-Type'] = encoded.headers.get('content-type') as string;
    headers['Content-Length'] = String(bytes.length);
    meter = meteredBody(bytes, upload.filename);
    body = meter.body;
  }
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      // The token is for this service: a redirect is reported (HTTP 3xx), never followed elsewhere.
      redirect: 'manual',
      ...(body ? { body, duplex: 'half' } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    } as RequestInit);
    const text = await response.text();
    let json: Json | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (isRecord(parsed)) json = parsed as Json;
    } catch {
      json = undefined;
    }
    return { status: response.status, json, text };
  } catch (error) {
    const reason = error instanceof Error ? causeOf(error) : String(error);
    throw new CliError(`cannot reach the service at ${url.origin}: ${reason}`, EXIT_USAGE);
  } finally {
    meter?.done();
  }
}

function causeOf(error: Error): string {
  if (error.name === 'TimeoutError') return 'no answer in time';
  const cause = error.cause;
  return cause instanceof Error ? cause.message : error.message;
}

export function report(answer: Answer): number {
  if (answer.status >= 200 && answer.status < 300 && answer.json) {
    process.stdout.write(`${JSON.stringify(answer.json, null, 2)}\n`);
    return EXIT_OK;
  }
  const json = answer.json;
  if (!json || typeof json.error !== 'string') {
    const excerpt = answer.text.slice(0, 500).trim();
    process.stderr.write(`The service answered HTTP ${answer.status}${excerpt ? `: ${excerpt}` : ''}\n`);
    return EXIT_REFUSED;
  }
  process.stderr.write(`${json.error}: ${String(json.message)}\n`);
  if (isValidationInfo(json.validation_info)) printFindings(json.validation_info);
  for (const field of ['quay_response', 'registry_response', 'greenwave_response']) {
    printUpstreamAnswer(field, json[field]);
  }
  return EXIT_REFUSED;
}

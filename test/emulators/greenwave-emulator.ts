/**
 * A small Greenwave emulator: `POST /api/v1.0/decision` and
 * `GET /api/v1.0/about`, answering the way Greenwave does (its decision
 * document, its `{"message"}` errors for bad requests and unknown contexts).
 * Answers are configurable per subject; every request is recorded; close()
 * makes its port refuse connections.
 */
import { Hono } from 'hono';
import { EmulatorServer } from './serve.js';

export type GreenwaveAnswer =
  | { kind: 'satisfied' }
  | { kind: 'unsatisfied'; summary?: string }
  /** This status with `body` (a string is sent as is, anything else as JSON), or Greenwave's `{"message"}`. */
  | { kind: 'status'; status: number; body?: unknown }
  /** 200 with an HTML body. */
  | { kind: 'non-json' }
  /** 200 JSON without `policies_satisfied` (or without `version`, for about). */
  | { kind: 'missing-key' };

/** What `GET /api/v1.0/about` answers: `ok` is `{"version": ...}`. */
export type GreenwaveAboutAnswer =
  | { kind: 'ok' }
  | Exclude<GreenwaveAnswer, { kind: 'satisfied' | 'unsatisfied' }>;

export interface RecordedGreenwaveRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  json: unknown;
}

export interface GreenwaveEmulatorOptions {
  /** The decision context it knows (default `osbs_push`). */
  context?: string;
  /** The product version it knows (default `cvp`). */
  productVersion?: string;
  /** The answer for subjects without their own (default satisfied). */
  defaultAnswer?: GreenwaveAnswer;
}

export class GreenwaveEmulatorState {
  readonly context: string;
  readonly productVersion: string;
  defaultAnswer: GreenwaveAnswer;
  readonly answers = new Map<string, GreenwaveAnswer>();
  aboutAnswer: GreenwaveAboutAnswer = { kind: 'ok' };
  /** Wait this long before answering any request. */
  delayMs = 0;
  readonly requests: RecordedGreenwaveRequest[] = [];

  constructor(options: GreenwaveEmulatorOptions) {
    this.context = options.context ?? 'osbs_push';
    this.productVersion = options.productVersion ?? 'cvp';
    this.defaultAnswer = options.defaultAnswer ?? { kind: 'satisfied' };
  }

  /** The answer for one subject (NVR). */
  answer(nvr: string, answer: GreenwaveAnswer): this {
    this.answers.set(nvr, answer);
    return this;
  }

  decisionRequests(): RecordedGreenwaveRequest[] {
    return this.requests.filter((r) => r.path === '/api/v1.0/decision');
  }
}

export interface GreenwaveEmulator {
  /** Base URL, e.g. `http://127.0.0.1:40123` (no trailing slash). */
  url: string;
  state: GreenwaveEmulatorState;
  /** Stops the server (idempotent): its port then refuses connections. Pending delays end at once. */
  close(): Promise<void>;
}

export async function startGreenwaveEmulator(
  options: GreenwaveEmulatorOptions = {},
): Promise<GreenwaveEmulator> {
  const state = new GreenwaveEmulatorState(options);
  const server = new EmulatorServer();

  const app = new Hono();

  app.use('*', async (c, next) => {
    const body = await c.req.text();
    const json = parseJson(body);
    state.requests.push({
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      headers: Object.fromEntries(c.req.raw.headers.entries()),
      body,
      json,
    });
    await server.wait(state.delayMs);
    await next();
  });

  app.post('/api/v1.0/decision', async (c) => {
    const request = parseJson(await c.req.text()); // Hono caches the body read by the middleware
    if (!isRecord(request)) return c.json({ message: 'No JSON object could be decoded' }, 400);
    for (const key of ['decision_context', 'product_version', 'subject_type', 'subject_identifier']) {
      if (typeof request[key] !== 'string' || request[key] === '') {
        return c.json({ message: `Missing required ${key.replace('_', ' ')}` }, 400);
      }
    }
    const { decision_context: context, product_version: productVersion } = request;
    if (
      context !== state.context ||
      productVersion !== state.productVersion ||
      request.subject_type !== 'koji_build'
    ) {
      return c.json(
        {
          message: `Found no applicable policies for ${String(request.subject_type)} subjects at gating point(s) ${String(context)} in ${String(productVersion)}`,
        },
        404,
      );
    }
    const nvr = String(request.subject_identifier);
    return answer(state.answers.get(nvr) ?? state.defaultAnswer, decision(nvr, state));
  });

  app.get('/api/v1.0/about', () =>
    answer(state.aboutAnswer, (satisfied) => (satisfied ? { version: '2.2.0', auth_method: 'OIDC' } : {})),
  );

  app.all('*', (c) => c.json({ message: 'The requested URL was not found on the server.' }, 404));

  const port = await server.listen(app.fetch);
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    close: () => server.close(),
  };
}

/**
 * Renders an answer. `document(true)` is the normal body, `document(false)`
 * the body without its key field.
 */
function answer(
  spec: GreenwaveAnswer | GreenwaveAboutAnswer,
  document: (satisfied: boolean, summary?: string) => unknown,
): Response {
  switch (spec.kind) {
    case 'ok':
    case 'satisfied':
      return Response.json(document(true));
    case 'unsatisfied':
      return Response.json(document(false, spec.summary));
    case 'missing-key': {
      const body = document(true) as Record<string, unknown>;
      const { policies_satisfied: _, version: __, ...rest } = body;
      return Response.json(rest);
    }
    case 'non-json':
      return new Response('<html><body>Service Unavailable</body></html>', {
        headers: { 'content-type': 'text/html' },
      });
    case 'status': {
      const body = spec.body ?? { message: `injected error ${spec.status}` };
      if (typeof body === 'string') return new Response(body, { status: spec.status });
      return Response.json(body, { status: spec.status });
    }
  }
}

/** Greenwave's decision document for a koji_build subject. */
function decision(nvr: string, state: GreenwaveEmulatorState) {
  return (satisfied: boolean, summary?: string) => {
    const item = { type: 'koji_build', identifier: nvr };
    const policy = `${state.context}_${state.productVersion}`;
    return {
      policies_satisfied: satisfied,
      summary: satisfied ? 'All required tests passed' : (summary ?? 'Of 1 required test, 1 result missing'),
      applicable_policies: [policy],
      satisfied_requirements: satisfied
        ? [
            {
              type: 'test-result-passed',
              testcase: 'cvp.verify',
              result_id: 1,
              subject_type: 'koji_build',
              item,
            },
          ]
        : [],
      unsatisfied_requirements: satisfied
        ? []
        : [
            {
              type: 'test-result-missing',
              testcase: 'cvp.verify',
              subject_type: 'koji_build',
              subject_identifier: nvr,
              item,
              scenario: null,
            },
          ],
    };
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

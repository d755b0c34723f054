/**
 * A small Quay emulator speaking the wire formats OMPS uses (SPEC §7, Quay):
 * the CNR app-registry listing, push and delete, the API v1
 * changevisibility call and /cnr/version. It records what it receives, and
 * faults can be injected per operation (status + body, delay, a connection
 * broken mid-answer); close() makes its port refuse connections.
 */
import { createHash } from 'node:crypto';
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { gunzipSync } from 'fflate';
import { type Context, Hono } from 'hono';
import { unpackTar } from 'modern-tar';
import { EmulatorServer } from './serve.js';

export type QuayOperation = 'list' | 'push' | 'delete' | 'visibility' | 'version';

export interface QuayFault {
  /** Answer with this status instead of handling the call (with `body`, or a Quay-like JSON error). */
  status?: number;
  /** The answer's body: a string is sent as is (non-JSON, truncated JSON…), anything else as JSON. */
  body?: unknown;
  /** Wait this long before answering (or before handling the call normally, when no status is set). */
  delayMs?: number;
  /** Send the headers and the start of the body, then break the connection. */
  dropConnection?: boolean;
  /** Send the headers and the start of a valid JSON body (`[]` for listing), then pause this long before the rest. */
  stallBodyMs?: number;
  /** Apply to this many calls only; every call until cleared by default. */
  times?: number;
}

export interface RecordedRequest {
  operation: QuayOperation | 'unknown';
  method: string;
  /** Path and query exactly as received (still percent-encoded). */
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface RecordedPush {
  organization: string;
  repository: string;
  release: string;
  mediaType: unknown;
  /** The `blob` field, base64-decoded (the gzip'd tar). */
  blob: Uint8Array;
  /** The request body as parsed JSON. */
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

export interface EmulatedPackage {
  releases: Map<string, { blob: Uint8Array; mediaType: string }>;
  visibility: 'private' | 'public';
}

export interface QuayEmulatorOptions {
  /** CNR tokens accepted in `Authorization` (as is); default `['good-token']`. */
  tokens?: readonly string[];
  /** OAuth tokens accepted by changevisibility as `Bearer <token>`; default `['oauth-token']`. */
  oauthTokens?: readonly string[];
}

export class QuayEmulatorState {
  readonly tokens: Set<string>;
  readonly oauthTokens: Set<string>;
  /** Keyed `<org>/<repo>`. */
  readonly packages = new Map<string, EmulatedPackage>();
  readonly requests: RecordedRequest[] = [];
  /** Accepted pushes only. */
  readonly pushes: RecordedPush[] = [];
  readonly faults = new Map<QuayOperation, QuayFault>();

  constructor(options: QuayEmulatorOptions) {
    this.tokens = new Set(options.tokens ?? ['good-token']);
    this.oauthTokens = new Set(options.oauthTokens ?? ['oauth-token']);
  }

  seed(organization: string, repository: string, versions: readonly string[]): void {
    const pkg = this.packageFor(organization, repository);
    for (const version of versions) pkg.releases.set(version, { blob: new Uint8Array(), mediaType: 'helm' });
  }

  releases(organization: string, repository: string): string[] | undefined {
    const pkg = this.packages.get(`${organization}/${repository}`);
    return pkg ? [...pkg.releases.keys()] : undefined;
  }

  visibility(organization: string, repository: string): 'private' | 'public' | undefined {
    return this.packages.get(`${organization}/${repository}`)?.visibility;
  }

  /** Injects a fault for every call of `operation` (or `fault.times` calls). */
  fail(operation: QuayOperation, fault: QuayFault): void {
    this.faults.set(operation, { ...fault });
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** The recorded requests of one operation. */
  requestsFor(operation: QuayOperation): RecordedRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  packageFor(organization: string, repository: string): EmulatedPackage {
    const key = `${organization}/${repository}`;
    let pkg = this.packages.get(key);
    if (!pkg) {
      pkg = { releases: new Map(), visibility: 'private' };
      this.packages.set(key, pkg);
    }
    return pkg;
  }

  /** The fault for this call, if any, counting it down. */
  takeFault(operation: QuayOperation): QuayFault | undefined {
    const fault = this.faults.get(operation);
    if (!fault) return undefined;
    if (fault.times !== undefined) {
      fault.times -= 1;
      if (fault.times <= 0) this.faults.delete(operation);
    }
    return fault;
  }
}

export interface QuayEmulator {
  /** Base URL, e.g. `http://127.0.0.1:40123` (no trailing slash). */
  url: string;
  state: QuayEmulatorState;
  /** Stops the server (idempotent): its port then refuses connections. Pending delays end at once. */
  close(): Promise<void>;
}

type Env = { Bindings: HttpBindings };

export async function startQuayEmulator(options: QuayEmulatorOptions = {}): Promise<QuayEmulator> {
  const state = new QuayEmulatorState(options);
  const server = new EmulatorServer();

  const app = new Hono<Env>();

  /** Records the call, then applies its fault; `undefined` = handle normally. */
  const intake = async (
    c: Context<Env>,
    operation: QuayOperation,
  ): Promise<{ body: string; answer?: Response }> => {
    const body = await c.req.text();
    const url = new URL(c.req.url);
    state.requests.push({
      operation,
      method: c.req.method,
      path: url.pathname + url.search,
      headers: Object.fromEntries(c.req.raw.headers.entries()),
      body,
    });
    const fault = state.takeFault(operation);
    if (!fault) return { body };
    if (fault.delayMs) await server.wait(fault.delayMs);
    if (fault.dropConnection) {
      // Promise a longer body than is sent, then cut the connection.
      const outgoing = c.env.outgoing;
      outgoing.writeHead(fault.status ?? 200, {
        'content-type': 'application/json',
        'content-length': '4096',
      });
      outgoing.write('[{"name": "trunc', () => outgoing.destroy());
      return { body, answer: RESPONSE_ALREADY_SENT };
    }
    if (fault.stallBodyMs)
      return { body, answer: stalledAnswer(fault.status ?? 200, fault.stallBodyMs, server.wait) };
    if (fault.status === undefined) return { body };
    const payload =
      fault.body === undefined ? cnrError('injected-fault', `injected fault ${fault.status}`) : fault.body;
    if (typeof payload === 'string') {
      return {
        body,
        answer: new Response(payload, { status: fault.status, headers: { 'content-type': 'text/html' } }),
      };
    }
    return { body, answer: Response.json(payload, { status: fault.status }) };
  };

  const tokenOk = (c: Context<Env>) => state.tokens.has(c.req.header('authorization') ?? '');
  const forbidden = (what: string) =>
    Response.json(cnrError('unauthorized-access', `Unauthorized access for: ${what}`), { status: 403 });

  app.get('/cnr/version', async (c) => {
    const { answer } = await intake(c, 'version');
    return answer ?? c.json({ 'cnr-api': '0.0.1-test', 'quay-server': 'v3' });
  });

  app.get('/cnr/api/v1/packages', async (c) => {
    const { answer } = await intake(c, 'list');
    if (answer) return answer;
    const namespace = c.req.query('namespace');
    if (!tokenOk(c)) return forbidden(namespace ?? '*');
    const list = [...state.packages.entries()]
      .filter(([key]) => namespace === undefined || key.startsWith(`${namespace}/`))
      .map(([key, pkg]) => {
        const releases = [...pkg.releases.keys()];
        return {
          name: key,
          namespace: key.slice(0, key.indexOf('/')),
          default: releases.at(-1) ?? null,
          releases,
          manifests: ['helm'],
          visibility: pkg.visibility,
          channels: [],
          created_at: '2024-01-01T00:00:00',
          updated_at: '2024-01-01T00:00:00',
        };
      });
    return c.json(list);
  });

  app.post('/cnr/api/v1/packages/:org/:repo', async (c) => {
    const { body, answer } = await intake(c, 'push');
    if (answer) return answer;
    const org = c.req.param('org');
    const repo = c.req.param('repo');
    if (!tokenOk(c)) return forbidden(`${org}/${repo}`);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return c.json(cnrError('invalid-json', 'the request body is not JSON'), 400);
    }
    if (!isRecord(json) || typeof json.release !== 'string' || typeof json.blob !== 'string') {
      return c.json(cnrError('invalid-request', 'release and blob are required'), 400);
    }
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(json.blob) || json.blob.length % 4 !== 0) {
      return c.json(cnrError('invalid-blob', 'blob is not base64'), 400);
    }
    const pkg = state.packageFor(org, repo);
    const release = json.release;
    if (pkg.releases.has(release)) {
      return c.json(
        cnrError('package-exists', 'package exists already', { package: `${org}/${repo}`, release }),
        409,
      );
    }
    const blob = new Uint8Array(Buffer.from(json.blob, 'base64'));
    const mediaType = typeof json.media_type === 'string' ? json.media_type : 'helm';
    pkg.releases.set(release, { blob, mediaType });
    state.pushes.push({
      organization: org,
      repository: repo,
      release,
      mediaType: json.media_type,
      blob,
      body: json,
      headers: Object.fromEntries(c.req.raw.headers.entries()),
    });
    return c.json({
      package: `${org}/${repo}`,
      release,
      media_type: mediaType,
      digest: `sha256:${createHash('sha256').update(blob).digest('hex')}`,
    });
  });

  app.delete('/cnr/api/v1/packages/:org/:repo/:release/:mediaType', async (c) => {
    const { answer } = await intake(c, 'delete');
    if (answer) return answer;
    const { org, repo, release, mediaType } = c.req.param();
    if (!tokenOk(c)) return forbidden(`${org}/${repo}`);
    const pkg = state.packages.get(`${org}/${repo}`);
    const stored = pkg?.releases.get(release);
    if (!pkg || !stored || stored.mediaType !== mediaType) {
      return c.json(
        cnrError('package-not-found', `package ${org}/${repo}@${release} (${mediaType}) does not exist`),
        404,
      );
    }
    pkg.releases.delete(release);
    return c.json({ status: 'deleted', package: `${org}/${repo}`, release, media_type: mediaType });
  });

  app.post('/api/v1/repository/:org/:repo/changevisibility', async (c) => {
    const { body, answer } = await intake(c, 'visibility');
    if (answer) return answer;
    const org = c.req.param('org');
    const repo = c.req.param('repo');
    const authorization = c.req.header('authorization') ?? '';
    const bearer = /^Bearer (.+)$/.exec(authorization)?.[1];
    if (!bearer || !state.oauthTokens.has(bearer)) {
      return c.json(apiError(403, 'Unauthorized', 'insufficient_scope'), 403);
    }
    const pkg = state.packages.get(`${org}/${repo}`);
    if (!pkg) return c.json(apiError(404, 'Not Found', 'not_found'), 404);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    if (!isRecord(json) || (json.visibility !== 'public' && json.visibility !== 'private')) {
      return c.json(
        apiError(400, 'Invalid request: visibility must be public or private', 'invalid_request'),
        400,
      );
    }
    pkg.visibility = json.visibility;
    return c.json({ success: true });
  });

  app.all('*', async (c) => {
    const url = new URL(c.req.url);
    state.requests.push({
      operation: 'unknown',
      method: c.req.method,
      path: url.pathname + url.search,
      headers: Object.fromEntries(c.req.raw.headers.entries()),
      body: await c.req.text(),
    });
    return c.json(apiError(404, 'Not Found', 'not_found'), 404);
  });

  const port = await server.listen(app.fetch);
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    close: () => server.close(),
  };
}

export interface UnpackedBlob {
  /** Every tar entry's name and type, in archive order. */
  entries: { name: string; type: string }[];
  /** The top-level folders (and files) of the archive. */
  topLevel: string[];
  /** The regular files, paths relative to the single top-level folder, sorted. */
  files: { path: string; data: Uint8Array }[];
}

/** Opens a pushed blob the way Quay would: gunzip, untar, one top-level folder. */
export async function unpackBlob(blob: Uint8Array): Promise<UnpackedBlob> {
  const tar = await unpackTar(gunzipSync(blob), { strict: true });
  const entries = tar.map((e) => ({ name: e.header.name, type: e.header.type ?? 'file' }));
  const topLevel = [...new Set(entries.map((e) => e.name.split('/')[0] ?? ''))];
  const files = tar
    .filter((e) => (e.header.type ?? 'file') === 'file')
    .map((e) => ({
      path: e.header.name.slice(e.header.name.indexOf('/') + 1),
      data: e.data ?? new Uint8Array(),
    }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { entries, topLevel, files };
}

/** A JSON answer (`[ ]`) whose body pauses half-way. */
function stalledAnswer(status: number, ms: number, delay: (ms: number) => Promise<void>): Response {
  const encoder = new TextEncoder();
  let sentStart = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!sentStart) {
        sentStart = true;
        controller.enqueue(encoder.encode('[ '));
        return;
      }
      await delay(ms);
      controller.enqueue(encoder.encode(']'));
      controller.close();
    },
  });
  return new Response(stream, { status, headers: { 'content-type': 'application/json' } });
}

/** Quay's CNR error body. */
function cnrError(code: string, message: string, details: Record<string, unknown> = {}) {
  return { error: { code, message, details } };
}

/** Quay's API v1 error body. */
function apiError(status: number, message: string, type: string) {
  return { detail: message, error_message: message, error_type: type, title: type, status };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

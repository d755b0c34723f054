/**
 * The edge entry point: a standard module worker (`export default { fetch }`)
 * for workerd / Cloudflare Workers, and for Bun and Deno through a two-line
 * server that calls `omps.fetch(request, env)`. (Workers call such a module a
 * "worker"; here that word names the processes of a Node cluster only.)
 *
 * Configuration comes from the runtime's bindings (environment variables):
 * - each SPEC §9 key as a binding of the same name (`max_content_length`,
 *   `quay_url`, ...); numbers are parsed from strings, `organizations` and
 *   `greenwave` are JSON strings (or JSON bindings); an empty string is unset;
 * - or `OMPS_CONFIG`: the whole configuration as YAML/JSON text. Per-key
 *   bindings override the keys of `OMPS_CONFIG`;
 * - `OMPS_UPSTREAMS=memory` runs on the embedded in-memory upstreams (the
 *   demo) instead of the real Quay, Koji and Greenwave.
 *
 * The app is built once per isolate (per distinct configuration). An invalid
 * configuration never crashes the isolate: every request is answered with a
 * 500 InternalServerError whose message names the bad key, and it is logged.
 *
 * Nothing here, nor anything it imports, may use `node:*` modules:
 * `scripts/build-edge.mjs` refuses a bundle that does.
 */

import type { Hono } from 'hono';
import { parse as parseYaml } from 'yaml';
import type { AppEnv } from '../adapters/http/app.js';
import type { DocsAssets } from '../adapters/http/docs-assets.js';
import { isRecord } from '../domain/values.js';
import { type AppConfig, ConfigError, parseConfig } from './config.js';
import { createService } from './container.js';
import { embeddedUpstreams } from './demo/embedded.js';
import { createLogger } from './logger.js';

/** The runtime's bindings: strings for plain variables, anything for the rest (KV, secrets, JSON vars). */
export type Bindings = Record<string, unknown>;

/** The subset of a Workers ExecutionContext the app may use; Bun and Deno pass none. */
export interface EdgeContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException?(): void;
}

type Kind = 'string' | 'number' | 'json';

/** SPEC §9 keys and how a string binding is turned into the configuration value. */
const CONFIG_KEYS: Record<string, Kind> = {
  quay_url: 'string',
  kojihub_url: 'string',
  kojiroot_url: 'string',
  request_timeout: 'number',
  default_release_version: 'string',
  zipfile_max_uncompressed_size: 'number',
  max_content_length: 'number',
  log_level: 'string',
  organizations: 'json',
  greenwave: 'json',
};

const CONFIG_TEXT = 'OMPS_CONFIG';
const UPSTREAMS = 'OMPS_UPSTREAMS';
const UPSTREAM_CHOICES = ['real', 'memory'] as const;
type UpstreamChoice = (typeof UPSTREAM_CHOICES)[number];

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export interface EdgeSettings {
  config: AppConfig;
  upstreams: UpstreamChoice;
}

/**
 * Reads the configuration from bindings; throws ConfigError naming the bad key.
 * Messages never quote configuration text (it may hold oauth tokens).
 */
export function settingsFromBindings(env: Bindings = {}): EdgeSettings {
  const raw: Record<string, unknown> = { ...configTextFrom(env[CONFIG_TEXT]) };
  for (const [key, kind] of Object.entries(CONFIG_KEYS)) {
    const value = coerce(key, kind, env[key]);
    if (value !== undefined) raw[key] = value;
  }
  return { config: parseConfig(raw), upstreams: upstreamsFrom(env[UPSTREAMS]) };
}

function configTextFrom(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null || value === '') return {};
  if (isRecord(value)) return value;
  if (typeof value !== 'string') throw invalid(CONFIG_TEXT, 'must be YAML or JSON text');
  let parsed: unknown;
  try {
    parsed = parseYaml(value);
  } catch (e) {
    // The parser's own message quotes the offending line: keep only where it is.
    const pos = (e as { linePos?: [{ line: number; col: number }] }).linePos?.[0];
    throw invalid(
      CONFIG_TEXT,
      `is not valid YAML or JSON${pos ? ` (line ${pos.line}, column ${pos.col})` : ''}`,
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw invalid(CONFIG_TEXT, 'must be a mapping of keys');
  return parsed as Record<string, unknown>;
}

function coerce(key: string, kind: Kind, value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return value; // JSON bindings arrive parsed; the schema checks them
  const text = value.trim();
  if (text === '') return undefined;
  switch (kind) {
    case 'string':
      return value;
    case 'number':
      if (!NUMBER.test(text))
        throw invalid(key, `must be a number, not ${JSON.stringify(text.slice(0, 40))}`);
      return Number(text);
    case 'json':
      try {
        return JSON.parse(text);
      } catch {
        throw invalid(key, 'must be a JSON object (the binding is not valid JSON)');
      }
  }
}

function upstreamsFrom(value: unknown): UpstreamChoice {
  if (value === undefined || value === null || value === '') return 'real';
  const choice = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (!UPSTREAM_CHOICES.includes(choice as UpstreamChoice)) {
    throw invalid(UPSTREAMS, `must be one of ${UPSTREAM_CHOICES.join(', ')}`);
  }
  return choice as UpstreamChoice;
}

function invalid(key: string, message: string): ConfigError {
  return new ConfigError(`Invalid configuration: ${key}: ${message}`);
}

type Service = { ok: true; app: Hono<AppEnv> } | { ok: false; message: string };

function buildService(env: Bindings, docsAssets: DocsAssets | undefined): Service {
  let settings: EdgeSettings;
  try {
    settings = settingsFromBindings(env);
  } catch (e) {
    const message =
      e instanceof ConfigError ? e.message : 'Invalid configuration: the bindings could not be read.';
    return { ok: false, message };
  }
  try {
    const { config, upstreams } = settings;
    const logger = createLogger(config.logLevel);
    const overrides = upstreams === 'memory' ? embeddedUpstreams() : {};
    const app = createService(config, { ...overrides, logger, ...(docsAssets ? { docsAssets } : {}) });
    logger.info('omps edge entry ready', { upstreams });
    return { ok: true, app };
  } catch (e) {
    logError('omps edge entry could not start', {
      error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
    });
    return { ok: false, message: 'The service could not start; the details are in its log.' };
  }
}

/** What the configuration depends on, to build one app per isolate and configuration. */
function fingerprint(env: Bindings): string {
  const relevant = [CONFIG_TEXT, UPSTREAMS, ...Object.keys(CONFIG_KEYS)].map((k) => env[k] ?? null);
  try {
    return JSON.stringify(relevant);
  } catch {
    return String(relevant);
  }
}

const MAX_CACHED = 8;

export interface EdgeEntry {
  fetch(request: Request, env?: Bindings, ctx?: EdgeContext): Promise<Response>;
}

export interface EdgeEntryOptions {
  /** The API viewer's files for /docs; scripts/build-edge.mjs embeds them in the bundle. */
  docsAssets?: DocsAssets;
}

/** An edge entry with its own app cache; the default export is one of these per isolate. */
export function createEdgeEntry(options: EdgeEntryOptions = {}): EdgeEntry {
  const services = new Map<string, Service>();
  const serviceFor = (env: Bindings): Service => {
    const key = fingerprint(env);
    let service = services.get(key);
    if (!service) {
      service = buildService(env, options.docsAssets);
      if (services.size >= MAX_CACHED) services.delete(services.keys().next().value!);
      services.set(key, service);
    }
    return service;
  };
  return {
    async fetch(request, env = {}, ctx) {
      const service = serviceFor(env ?? {});
      if (!service.ok) {
        const url = new URL(request.url);
        logError('configuration invalid', {
          error: service.message,
          method: request.method,
          path: url.pathname,
        });
        return Response.json(
          { status: 500, error: 'InternalServerError', message: service.message },
          { status: 500 },
        );
      }
      // Hono types the context as a full ExecutionContext; the app itself never uses it.
      const response = await service.app.fetch(request, env, ctx as Parameters<Hono<AppEnv>['fetch']>[2]);
      await drainUnreadBody(request);
      return response;
    },
  };
}

/** Draining stops after this many bytes or this long; past that the runtime just closes the connection. */
const DRAIN_MAX_BYTES = 8 * 1024 * 1024;
const DRAIN_MAX_MS = 5_000;

/**
 * Reads and discards a request body the app answered without reading (a 403 or
 * a 413 decided from Content-Length), as Node's HTTP server does. workerd
 * closes the connection on an unread body, and a client still sending it
 * (Node's fetch does) then sees EPIPE instead of the answer. Nothing is kept,
 * and it is bounded in bytes and time.
 */
async function drainUnreadBody(request: Request): Promise<void> {
  if (!request.body || request.bodyUsed || request.body.locked) return;
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > DRAIN_MAX_BYTES) return;
  const reader = request.body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), DRAIN_MAX_MS);
  });
  try {
    for (let total = 0; total <= DRAIN_MAX_BYTES; ) {
      const next = await Promise.race([reader.read(), timeout]);
      if (next === 'timeout' || next.done) break;
      total += next.value.byteLength;
    }
  } catch {
    // the client went away: nothing left to drain
  } finally {
    clearTimeout(timer);
    reader.cancel().catch(() => {});
  }
}

function logError(message: string, fields: Record<string, unknown>): void {
  console.error(JSON.stringify({ time: new Date().toISOString(), level: 'ERROR', message, ...fields }));
}

const entry: EdgeEntry = createEdgeEntry();
export default entry;

/** Serving the app on Node with graceful shutdown: in-flight requests finish on SIGTERM/SIGINT. */

import { serve } from '@hono/node-server';
import { fflateGzip } from '../adapters/fflate/fflate-gzip.js';
import { createNodeHttpFetch } from '../adapters/node-native/node-http-fetch.js';
import { nodeTextCodec } from '../adapters/node-native/node-text-codec.js';
import { nodeZipCodecs } from '../adapters/node-native/node-zip-codecs.js';
import { zlibGzip } from '../adapters/node-native/zlib-gzip.js';
import { zlibLayerCodec } from '../adapters/node-native/zlib-layer-codec.js';
import { QuayBundlePacker } from '../adapters/quay/bundle-blob.js';
import { ThreadPoolBundleEngine } from '../adapters/thread-pool/thread-pool-engine.js';
import { ZipArchive } from '../adapters/zip/zip-archive.js';
import { InlineBundleEngine } from '../application/bundle-job.js';
import type { Logger } from '../application/ports.js';
import type { BundleThreads } from './bundle-threads.js';
import { limitedServerFactory } from './client-limits.js';
import type { AppConfig, ClientLimits } from './config.js';
import { type AdapterOverrides, createService } from './container.js';
import { createLogger } from './logger.js';
import { nodeMetrics } from './metrics/node-metrics.js';
import { readDocsAssets } from './node-docs-assets.js';
import { nodeRequestContext } from './node-request-context.js';

export interface ListenOptions {
  port: number;
  host: string;
  logger: Logger;
  /** How long in-flight requests get after a shutdown signal. */
  shutdownGraceMs?: number;
  /** Limits on clients (client-limits.ts); Node's defaults without them. */
  limits?: ClientLimits;
}

export function listen(
  app: { fetch: (request: Request) => Response | Promise<Response> },
  options: ListenOptions,
): Promise<{ port: number; close(): Promise<void> }> {
  const serving = {
    fetch: app.fetch,
    port: options.port,
    hostname: options.host,
    ...(options.limits ? { createServer: limitedServerFactory(options.limits, options.logger) } : {}),
  };
  return new Promise((resolve, reject) => {
    const server = serve(serving, (info) => {
      options.logger.info('listening', { host: options.host, port: info.port, pid: process.pid });
      const close = () =>
        new Promise<void>((done) => {
          server.close(() => done());
          // Keep-alive connections go idle once their last response is sent: close them as they do.
          if ('closeIdleConnections' in server) {
            server.closeIdleConnections();
            setInterval(() => server.closeIdleConnections(), 100).unref();
          }
        });
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        options.logger.info('shutting down', { signal });
        const force = setTimeout(() => process.exit(0), options.shutdownGraceMs ?? 10_000);
        force.unref();
        close().then(() => process.exit(0));
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
      resolve({ port: info.port, close });
    });
    server.once('error', reject);
  });
}

export function listenAddress(env: NodeJS.ProcessEnv): { port: number; host: string } {
  const rawPort = env.PORT ?? '8080';
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65535) throw new Error(`PORT must be a port number, not "${rawPort}"`);
  return { port, host: env.HOST || '0.0.0.0' };
}

/**
 * The app on Node with what only Node gives: request-scoped logs, /metrics,
 * graceful shutdown, and bundle work in bundle threads (`threads`; inline
 * when omitted or when the overrides bring their own archive or engine).
 */
export async function serveOnNode(
  config: AppConfig,
  address: { port: number; host: string },
  overrides: AdapterOverrides = {},
  threads?: BundleThreads,
): Promise<{ port: number; close(): Promise<void> }> {
  const requestContext = nodeRequestContext();
  const logger = createLogger(config.logLevel, undefined, () => requestContext.current());
  const metrics = nodeMetrics(config.organizations.keys());
  const docsAssets = overrides.docsAssets ?? readDocsAssets(logger);
  const ownEngine = !overrides.archive && !overrides.bundleEngine;
  const pool =
    threads && ownEngine
      ? new ThreadPoolBundleEngine({ ...threads, logger, jobTimeoutMs: config.bundleJobTimeoutMs })
      : undefined;
  // Without threads, jobs run inline on the same native codecs and packer as the bundle threads.
  const archive = new ZipArchive(nodeZipCodecs);
  const packer = new QuayBundlePacker(zlibGzip);
  const engine =
    pool ??
    (ownEngine
      ? new InlineBundleEngine(archive, { packer, codec: nodeTextCodec, layerGzip: fflateGzip })
      : undefined);
  // Upstream calls over node:http: about a quarter of undici fetch's CPU per call.
  const upstreamFetch = overrides.fetch ? undefined : createNodeHttpFetch();
  const app = createService(config, {
    archive,
    bundlePacker: packer,
    layerCodec: zlibLayerCodec,
    ...overrides,
    ...(upstreamFetch ? { fetch: upstreamFetch } : {}),
    ...(engine ? { bundleEngine: engine } : {}),
    logger,
    requestContext,
    metrics,
    ...(docsAssets ? { docsAssets } : {}),
  });
  const server = await listen(app, { ...address, logger, limits: config.clientLimits });
  return {
    port: server.port,
    close: async () => {
      await server.close();
      await pool?.close();
      upstreamFetch?.close();
    },
  };
}

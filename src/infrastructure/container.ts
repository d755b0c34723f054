/**
 * The composition root: the only place that knows which adapter serves which
 * port. Registered with tsyringe factories and symbol tokens (no decorators),
 * so it behaves the same under tsc, vitest and edge bundlers.
 */
import 'reflect-metadata';
import type { Hono } from 'hono';
import { type DependencyContainer, instanceCachingFactory, container as rootContainer } from 'tsyringe';
import { FflateArchive } from '../adapters/fflate/fflate-archive.js';
import { GreenwavePolicyGate } from '../adapters/greenwave/greenwave-policy-gate.js';
import { type AppEnv, createApp } from '../adapters/http/app.js';
import type { DocsAssets } from '../adapters/http/docs-assets.js';
import { KojiBuildSystem } from '../adapters/koji/koji-build-system.js';
import { OciImageRegistry } from '../adapters/oci/oci-image-registry.js';
import { QuayBundlePacker } from '../adapters/quay/bundle-blob.js';
import { QuayRegistry } from '../adapters/quay/quay-registry.js';
import type { FetchLike } from '../adapters/upstream/call.js';
import { InlineBundleEngine } from '../application/bundle-job.js';
import { CheckHealth } from '../application/check-health.js';
import { DeleteReleases } from '../application/delete-releases.js';
import type {
  Archive,
  BuildSystem,
  BundleEngine,
  BundlePacker,
  ImageRegistry,
  Logger,
  PolicyGate,
  Registry,
} from '../application/ports.js';
import { PublishBundleImages } from '../application/publish-bundle-images.js';
import { PublishRelease } from '../application/publish-release.js';
import { OPERATOR_COURIER_VERSION } from '../domain/manifest/index.js';
import type { AppConfig } from './config.js';
import { LogSecrets, scrubbingLogger } from './log-secrets.js';
import { createLogger } from './logger.js';
import type { ServiceMetrics } from './metrics/service-metrics.js';
import { noRequestContext, type RequestContext, upstreamHeaders } from './request-context.js';
import { SERVICE_VERSION } from './version.js';

export const TOKENS = {
  Config: Symbol('Config'),
  Logger: Symbol('Logger'),
  Registry: Symbol('Registry'),
  ImageRegistry: Symbol('ImageRegistry'),
  BuildSystem: Symbol('BuildSystem'),
  PolicyGate: Symbol('PolicyGate'),
  Archive: Symbol('Archive'),
  BundleEngine: Symbol('BundleEngine'),
  PublishRelease: Symbol('PublishRelease'),
  DeleteReleases: Symbol('DeleteReleases'),
  CheckHealth: Symbol('CheckHealth'),
  App: Symbol('App'),
} as const;

/** Adapters that replace the real ones (the embedded demo and tests use in-memory upstreams). */
export interface AdapterOverrides {
  registry?: Registry;
  /** The OCI registries of organizations with bundle_images. */
  imageRegistry?: ImageRegistry;
  buildSystem?: BuildSystem;
  /** `null` = no policy gate even when Greenwave is configured. */
  policyGate?: PolicyGate | null;
  archive?: Archive;
  /** Where bundle work runs (Node: a worker-thread pool); inline over the archive by default. */
  bundleEngine?: BundleEngine;
  /** Packs Quay's blob on this thread (inline engine, Quay registry); Web-standard gzip by default (Node: zlib). */
  bundlePacker?: BundlePacker;
  logger?: Logger;
  /** Carries the request id to log lines and upstream calls (Node: AsyncLocalStorage). */
  requestContext?: RequestContext;
  /** The API viewer's files for /docs (the Node entry reads them at start-up, the edge bundle embeds them). */
  docsAssets?: DocsAssets;
  /** Measures requests and upstream calls and serves /metrics (the Node entry passes it). */
  metrics?: { service: ServiceMetrics; render(): Promise<string> };
  /** The HTTP client of the real upstream adapters (Node: node:http with keep-alive); globalThis.fetch by default. */
  fetch?: FetchLike;
  /** How long a health check waits for each upstream; HEALTH_PING_TIMEOUT_MS (10 s) unless a test shortens it. */
  healthPingTimeoutMs?: number;
}

export function createContainer(config: AppConfig, overrides: AdapterOverrides = {}): DependencyContainer {
  const c = rootContainer.createChildContainer();
  const context = overrides.requestContext ?? noRequestContext;
  const cached = <T>(make: (d: DependencyContainer) => T) => ({
    useFactory: instanceCachingFactory<T>(make),
  });

  c.register(TOKENS.Config, { useValue: config });
  // Whatever logger is given, every line it is handed is scrubbed of the secrets first.
  const secrets = new LogSecrets(oauthTokens(config));
  c.register(TOKENS.Logger, {
    useValue: scrubbingLogger(
      overrides.logger ?? createLogger(config.logLevel, undefined, () => context.current()),
      secrets,
    ),
  });
  const logger = c.resolve<Logger>(TOKENS.Logger);
  const measured = overrides.metrics?.service;
  const upstream = {
    logger,
    requestHeaders: upstreamHeaders(context),
    timeoutMs: config.requestTimeoutMs,
    ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
  };
  const packer = overrides.bundlePacker ?? new QuayBundlePacker();

  c.register(
    TOKENS.Registry,
    cached(() => {
      const registry =
        overrides.registry ?? new QuayRegistry({ baseUrl: config.quayUrl, ...upstream, packer });
      return measured ? measured.instrumentRegistry(registry) : registry;
    }),
  );
  c.register(
    TOKENS.ImageRegistry,
    cached(() => {
      const images = overrides.imageRegistry ?? new OciImageRegistry(upstream);
      return measured ? measured.instrumentImageRegistry(images) : images;
    }),
  );
  c.register(
    TOKENS.BuildSystem,
    cached(() => {
      const koji =
        overrides.buildSystem ??
        new KojiBuildSystem({ hubUrl: config.kojihubUrl, rootUrl: config.kojirootUrl, ...upstream });
      return measured ? measured.instrumentBuildSystem(koji) : koji;
    }),
  );
  c.register(
    TOKENS.PolicyGate,
    cached((): PolicyGate | undefined => {
      const gate =
        overrides.policyGate !== undefined
          ? (overrides.policyGate ?? undefined)
          : config.greenwave && new GreenwavePolicyGate({ ...config.greenwave, ...upstream });
      return gate && measured ? measured.instrumentPolicyGate(gate) : gate || undefined;
    }),
  );
  c.register(
    TOKENS.Archive,
    cached(() => overrides.archive ?? new FflateArchive()),
  );
  c.register(
    TOKENS.BundleEngine,
    cached((d) => {
      const engine = overrides.bundleEngine ?? new InlineBundleEngine(d.resolve(TOKENS.Archive), { packer });
      return measured ? measured.instrumentEngine(engine) : engine;
    }),
  );

  c.register(
    TOKENS.PublishRelease,
    cached(
      (d) =>
        new PublishRelease({
          registry: d.resolve(TOKENS.Registry),
          archive: d.resolve(TOKENS.Archive),
          engine: d.resolve(TOKENS.BundleEngine),
          buildSystem: d.resolve(TOKENS.BuildSystem),
          ...optionalGate(d),
          bundleImages: new PublishBundleImages({ imageRegistry: d.resolve(TOKENS.ImageRegistry), logger }),
          settings: {
            defaultReleaseVersion: config.defaultReleaseVersion,
            maxUncompressedSize: config.zipfileMaxUncompressedSize,
            policyFor: (org) => config.organizations.get(org),
          },
          logger,
        }),
    ),
  );
  c.register(
    TOKENS.DeleteReleases,
    cached(
      (d) =>
        new DeleteReleases({
          registry: d.resolve(TOKENS.Registry),
          imageRegistry: d.resolve(TOKENS.ImageRegistry),
          policyFor: (org) => config.organizations.get(org),
        }),
    ),
  );
  c.register(
    TOKENS.CheckHealth,
    cached(
      (d) =>
        new CheckHealth({
          registry: d.resolve(TOKENS.Registry),
          buildSystem: d.resolve(TOKENS.BuildSystem),
          ...optionalGate(d),
          ...(overrides.healthPingTimeoutMs ? { pingTimeoutMs: overrides.healthPingTimeoutMs } : {}),
          bundleRegistries: {
            imageRegistry: d.resolve(TOKENS.ImageRegistry),
            urls: bundleRegistryUrls(config),
          },
        }),
    ),
  );
  c.register(
    TOKENS.App,
    cached((d) => {
      const metrics = overrides.metrics;
      return createApp({
        publishRelease: d.resolve(TOKENS.PublishRelease),
        deleteReleases: d.resolve(TOKENS.DeleteReleases),
        checkHealth: d.resolve(TOKENS.CheckHealth),
        about: { version: SERVICE_VERSION, operatorcourier: OPERATOR_COURIER_VERSION },
        maxContentLength: config.maxContentLength,
        logger,
        secrets,
        runInContext: context.run,
        ...(overrides.docsAssets ? { docsAssets: overrides.docsAssets } : {}),
        ...(metrics
          ? { metrics: { observe: (o) => metrics.service.observeRequest(o), render: () => metrics.render() } }
          : {}),
      });
    }),
  );
  return c;
}

function oauthTokens(config: AppConfig): string[] {
  return [...config.organizations.values()].flatMap((org) => (org.oauthToken ? [org.oauthToken] : []));
}

/** Each distinct bundle_images registry once, for health checks. */
function bundleRegistryUrls(config: AppConfig): string[] {
  const urls = [...config.organizations.values()].flatMap((o) =>
    o.bundleImages ? [o.bundleImages.registry] : [],
  );
  return [...new Set(urls)];
}

function optionalGate(d: DependencyContainer): { policyGate?: PolicyGate } {
  const gate = d.resolve<PolicyGate | undefined>(TOKENS.PolicyGate);
  return gate ? { policyGate: gate } : {};
}

/** Builds the HTTP app for a configuration. */
export function createService(config: AppConfig, overrides: AdapterOverrides = {}): Hono<AppEnv> {
  return createContainer(config, overrides).resolve<Hono<AppEnv>>(TOKENS.App);
}

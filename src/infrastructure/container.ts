/**
 * The composition root: the only place that knows which adapter serves which
 * port.
 *
 * What tsyringe does here, and all it does: each token below names one object;
 * its factory runs the first time the token is resolved, and that one object
 * is then shared (`instanceCachingFactory`), so every use case gets the same
 * adapters and nothing is built that no route needs. Plain factories and
 * symbol tokens, no decorators or reflected types: it behaves the same under
 * tsc, vitest and edge bundlers.
 */
import 'reflect-metadata';
import type { Hono } from 'hono';
import { type DependencyContainer, instanceCachingFactory, container as rootContainer } from 'tsyringe';
import { fflateGzip } from '../adapters/fflate/fflate-gzip.js';
import { GreenwavePolicyGate } from '../adapters/greenwave/greenwave-policy-gate.js';
import { type AppEnv, createApp } from '../adapters/http/app.js';
import type { DocsAssets } from '../adapters/http/docs-assets.js';
import { KojiBuildSystem } from '../adapters/koji/koji-build-system.js';
import { OciCatalogRegistry } from '../adapters/oci/oci-catalog-registry.js';
import { OciImageRegistry } from '../adapters/oci/oci-image-registry.js';
import { QuayBundlePacker } from '../adapters/quay/bundle-blob.js';
import { QuayRegistry } from '../adapters/quay/quay-registry.js';
import type { FetchLike } from '../adapters/upstream/call.js';
import { ZipArchive } from '../adapters/zip/zip-archive.js';
import { InlineBundleEngine } from '../application/bundle-job.js';
import { CheckHealth } from '../application/check-health.js';
import { DeleteReleases } from '../application/delete-releases.js';
import type {
  Archive,
  BuildSystem,
  BundleEngine,
  BundlePacker,
  CatalogRegistry,
  ImageRegistry,
  Logger,
  PolicyGate,
  Registry,
} from '../application/ports.js';
import { PublishBundleImages } from '../application/publish-bundle-images.js';
import { PublishRelease } from '../application/publish-release.js';
import { ReadCatalog } from '../application/read-catalog.js';
import { UpdateCatalog } from '../application/update-catalog.js';
import type { GzipCodec } from '../domain/catalog-image/gzip-codec.js';
import { OPERATOR_COURIER_VERSION } from '../domain/manifest/index.js';
import type { AppConfig } from './config.js';
import { LogSecrets, scrubbingLogger } from './log-secrets.js';
import { createLogger } from './logger.js';
import type { ServiceMetrics } from './metrics/service-metrics.js';
import { noRequestContext, type RequestContext, upstreamHeaders } from './request-context.js';
import { SERVICE_VERSION } from './version.js';

const TOKENS = {
  Registry: Symbol('Registry'),
  ImageRegistry: Symbol('ImageRegistry'),
  CatalogRegistry: Symbol('CatalogRegistry'),
  UpdateCatalog: Symbol('UpdateCatalog'),
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
  /** The same registries as the catalog needs them (SPEC §11); the in-memory one shares imageRegistry's store. */
  catalogRegistry?: CatalogRegistry;
  /** gzip for the layers the catalog reads back; Web streams by default (Node: zlib). */
  layerCodec?: GzipCodec;
  buildSystem?: BuildSystem;
  /** `null` = no policy gate even when Greenwave is configured. */
  policyGate?: PolicyGate | null;
  archive?: Archive;
  /** Where bundle work runs (Node: the bundle-thread pool); inline over the archive by default. */
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

/** Builds the HTTP app for a configuration. */
export function createService(config: AppConfig, overrides: AdapterOverrides = {}): Hono<AppEnv> {
  const c = rootContainer.createChildContainer();
  const one = <T>(token: symbol, make: (d: DependencyContainer) => T) =>
    c.register(token, { useFactory: instanceCachingFactory<T>(make) });
  const context = overrides.requestContext ?? noRequestContext;
  // Whatever logger is given, every line it is handed is scrubbed of the secrets first.
  const secrets = new LogSecrets(oauthTokens(config));
  const logger = scrubbingLogger(
    overrides.logger ?? createLogger(config.logLevel, undefined, () => context.current()),
    secrets,
  );
  const measured = overrides.metrics?.service;
  const upstream = {
    logger,
    requestHeaders: upstreamHeaders(context),
    timeoutMs: config.requestTimeoutMs,
    ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
  };
  const packer = overrides.bundlePacker ?? new QuayBundlePacker();
  const policyFor = (org: string) => config.organizations.get(org);
  const gate = (d: DependencyContainer): { policyGate?: PolicyGate } => {
    const policyGate = d.resolve<PolicyGate | undefined>(TOKENS.PolicyGate);
    return policyGate ? { policyGate } : {};
  };

  // The ports: the real adapters unless overridden, measured when metrics are on.
  one(TOKENS.Registry, () => {
    const quay = overrides.registry ?? new QuayRegistry({ baseUrl: config.quayUrl, ...upstream, packer });
    return measured?.instrumentRegistry(quay) ?? quay;
  });
  one(TOKENS.ImageRegistry, () => {
    const images = overrides.imageRegistry ?? new OciImageRegistry(upstream);
    return measured?.instrumentImageRegistry(images) ?? images;
  });
  one(TOKENS.CatalogRegistry, () => {
    const codec = overrides.layerCodec ? { codec: overrides.layerCodec } : {};
    const catalogs = overrides.catalogRegistry ?? new OciCatalogRegistry({ ...upstream, ...codec });
    return measured?.instrumentCatalogRegistry(catalogs) ?? catalogs;
  });
  one(TOKENS.BuildSystem, () => {
    const koji =
      overrides.buildSystem ??
      new KojiBuildSystem({ hubUrl: config.kojihubUrl, rootUrl: config.kojirootUrl, ...upstream });
    return measured?.instrumentBuildSystem(koji) ?? koji;
  });
  one(TOKENS.PolicyGate, (): PolicyGate | undefined => {
    const greenwave =
      overrides.policyGate !== undefined
        ? (overrides.policyGate ?? undefined)
        : config.greenwave && new GreenwavePolicyGate({ ...config.greenwave, ...upstream });
    return greenwave ? (measured?.instrumentPolicyGate(greenwave) ?? greenwave) : undefined;
  });
  one(TOKENS.Archive, () => overrides.archive ?? new ZipArchive());
  one(TOKENS.BundleEngine, (d) => {
    const engine =
      overrides.bundleEngine ??
      new InlineBundleEngine(d.resolve(TOKENS.Archive), { packer, layerGzip: fflateGzip });
    return measured?.instrumentEngine(engine) ?? engine;
  });

  // The use cases, and the app over them.
  one(
    TOKENS.UpdateCatalog,
    (d) =>
      new UpdateCatalog({
        catalogRegistry: d.resolve(TOKENS.CatalogRegistry),
        logger,
        ...(measured ? { observe: measured.catalogObserver() } : {}),
      }),
  );
  one(
    TOKENS.PublishRelease,
    (d) =>
      new PublishRelease({
        registry: d.resolve(TOKENS.Registry),
        archive: d.resolve(TOKENS.Archive),
        engine: d.resolve(TOKENS.BundleEngine),
        buildSystem: d.resolve(TOKENS.BuildSystem),
        ...gate(d),
        bundleImages: new PublishBundleImages({ imageRegistry: d.resolve(TOKENS.ImageRegistry), logger }),
        catalog: d.resolve(TOKENS.UpdateCatalog),
        settings: {
          defaultReleaseVersion: config.defaultReleaseVersion,
          maxUncompressedSize: config.zipfileMaxUncompressedSize,
          policyFor,
        },
        logger,
      }),
  );
  one(
    TOKENS.DeleteReleases,
    (d) =>
      new DeleteReleases({
        registry: d.resolve(TOKENS.Registry),
        imageRegistry: d.resolve(TOKENS.ImageRegistry),
        catalog: d.resolve(TOKENS.UpdateCatalog),
        policyFor,
      }),
  );
  one(
    TOKENS.CheckHealth,
    (d) =>
      new CheckHealth({
        registry: d.resolve(TOKENS.Registry),
        buildSystem: d.resolve(TOKENS.BuildSystem),
        ...gate(d),
        ...(overrides.healthPingTimeoutMs ? { pingTimeoutMs: overrides.healthPingTimeoutMs } : {}),
        bundleRegistries: {
          imageRegistry: d.resolve(TOKENS.ImageRegistry),
          urls: bundleRegistryUrls(config),
        },
      }),
  );
  one(TOKENS.App, (d) => {
    const metrics = overrides.metrics;
    return createApp({
      publishRelease: d.resolve(TOKENS.PublishRelease),
      deleteReleases: d.resolve(TOKENS.DeleteReleases),
      checkHealth: d.resolve(TOKENS.CheckHealth),
      readCatalog: new ReadCatalog({ catalogRegistry: d.resolve(TOKENS.CatalogRegistry), policyFor }),
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
  });
  return c.resolve<Hono<AppEnv>>(TOKENS.App);
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

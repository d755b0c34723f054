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
import { KojiBuildSystem } from '../adapters/koji/koji-build-system.js';
import { QuayRegistry } from '../adapters/quay/quay-registry.js';
import { InlineBundleEngine } from '../application/bundle-job.js';
import { CheckHealth } from '../application/check-health.js';
import { DeleteReleases } from '../application/delete-releases.js';
import type {
  Archive,
  BuildSystem,
  BundleEngine,
  Logger,
  PolicyGate,
  Registry,
} from '../application/ports.js';
import { PublishRelease } from '../application/publish-release.js';
import { OPERATOR_COURIER_VERSION } from '../domain/manifest/index.js';
import type { AppConfig } from './config.js';
import { createLogger } from './logger.js';
import type { ServiceMetrics } from './metrics/service-metrics.js';
import { noRequestContext, type RequestContext, upstreamHeaders } from './request-context.js';
import { SERVICE_VERSION } from './version.js';

export const TOKENS = {
  Config: Symbol('Config'),
  Logger: Symbol('Logger'),
  Registry: Symbol('Registry'),
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
  buildSystem?: BuildSystem;
  /** `null` = no policy gate even when Greenwave is configured. */
  policyGate?: PolicyGate | null;
  archive?: Archive;
  /** Where bundle work runs (Node: a worker-thread pool); inline over the archive by default. */
  bundleEngine?: BundleEngine;
  logger?: Logger;
  /** Carries the request id to log lines and upstream calls (Node: AsyncLocalStorage). */
  requestContext?: RequestContext;
  /** Measures requests and upstream calls and serves /metrics (the Node entry passes it). */
  metrics?: { service: ServiceMetrics; render(): Promise<string> };
}

export function createContainer(config: AppConfig, overrides: AdapterOverrides = {}): DependencyContainer {
  const c = rootContainer.createChildContainer();
  const context = overrides.requestContext ?? noRequestContext;
  const cached = <T>(make: (d: DependencyContainer) => T) => ({
    useFactory: instanceCachingFactory<T>(make),
  });

  c.register(TOKENS.Config, { useValue: config });
  c.register(TOKENS.Logger, {
    useValue: overrides.logger ?? createLogger(config.logLevel, undefined, () => context.current()),
  });
  const logger = c.resolve<Logger>(TOKENS.Logger);
  const measured = overrides.metrics?.service;
  const upstream = { logger, requestHeaders: upstreamHeaders(context), ...timeout(config) };

  c.register(
    TOKENS.Registry,
    cached(() => {
      const registry = overrides.registry ?? new QuayRegistry({ baseUrl: config.quayUrl, ...upstream });
      return measured ? measured.instrumentRegistry(registry) : registry;
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
      const engine = overrides.bundleEngine ?? new InlineBundleEngine(d.resolve(TOKENS.Archive));
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
          settings: {
            defaultReleaseVersion: config.defaultReleaseVersion,
            maxUncompressedSize: config.zipfileMaxUncompressedSize,
            policyFor: (org) => config.organizations[org],
          },
          logger,
        }),
    ),
  );
  c.register(
    TOKENS.DeleteReleases,
    cached((d) => new DeleteReleases({ registry: d.resolve(TOKENS.Registry) })),
  );
  c.register(
    TOKENS.CheckHealth,
    cached(
      (d) =>
        new CheckHealth({
          registry: d.resolve(TOKENS.Registry),
          buildSystem: d.resolve(TOKENS.BuildSystem),
          ...optionalGate(d),
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
        runInContext: context.run,
        ...(metrics
          ? { metrics: { observe: (o) => metrics.service.observeRequest(o), render: () => metrics.render() } }
          : {}),
      });
    }),
  );
  return c;
}

function timeout(config: AppConfig): { timeoutMs?: number } {
  return config.requestTimeoutMs ? { timeoutMs: config.requestTimeoutMs } : {};
}

function optionalGate(d: DependencyContainer): { policyGate?: PolicyGate } {
  const gate = d.resolve<PolicyGate | undefined>(TOKENS.PolicyGate);
  return gate ? { policyGate: gate } : {};
}

/** Builds the HTTP app for a configuration. */
export function createService(config: AppConfig, overrides: AdapterOverrides = {}): Hono<AppEnv> {
  return createContainer(config, overrides).resolve<Hono<AppEnv>>(TOKENS.App);
}

/**
 * Configuration (SPEC §9): a YAML or JSON file named by OMPS_CONF_FILE, every
 * key optional, validated at start-up. An invalid file stops the service with
 * a message naming the key; so does an unknown key, at any level: every object
 * is zod's strict object, built by unknown-keys.ts to suggest the closest known key.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { isValidRepositoryName } from '../domain/bundle-image/image-name.js';
import { parseImageReference } from '../domain/catalog-image/image-reference.js';
import {
  DEFAULT_BUNDLE_REPOSITORY,
  DEFAULT_CATALOG_REPOSITORY,
  DEFAULT_CATALOG_TAG,
  type OrganizationPolicy,
} from '../domain/organization-policy.js';
import { PythonRegexpError, pythonSubstitution } from '../domain/python-regexp.js';
import { isValidVersion } from '../domain/release-version.js';
import { isRecord } from '../domain/values.js';
import { strictObject } from './unknown-keys.js';

const ORG_NAME = /^[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127}$/;

/**
 * Every configured URL. No `user:password@`: health answers and logs may name an upstream, and
 * credentials belong in their own keys (oauth_token; callers' tokens come with each request).
 * The message never quotes the value.
 */
const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .refine(
    (u) => !hasUserinfo(u),
    'must not hold credentials (user:password@); credentials belong in their own keys',
  );

function hasUserinfo(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false; // not a URL: said by z.url
  }
}

const replacement = strictObject({
  old: z.string().min(1, 'must be a non-empty string'),
  new: z.string(),
  regexp: z.boolean().default(false),
}).superRefine((r, ctx) => {
  if (!r.regexp) return;
  // Python `re` syntax (configs written for the original); compiled here, once, so a rule
  // JavaScript cannot run the same way stops start-up instead of rewriting manifests wrongly.
  try {
    pythonSubstitution(r.old, r.new);
  } catch (e) {
    if (!(e instanceof PythonRegexpError)) throw e;
    const [field, ...why] = e.message.split(': ');
    ctx.addIssue({
      code: 'custom',
      path: [field === 'new' ? 'new' : 'old'],
      message: `cannot be translated from Python re syntax: ${why.join(': ')}`,
    });
  }
});

/** SPEC §10. The repository template may use only the two placeholders the service fills. */
const bundleImages = strictObject({
  registry: httpUrl,
  repository: z
    .string()
    .min(1, 'must be a non-empty string')
    .refine(
      (t) => !/\{(?!organization\}|package_name\})[^}]*\}/.test(t),
      'may use only the placeholders {organization} and {package_name}',
    )
    .default(DEFAULT_BUNDLE_REPOSITORY),
});

/** SPEC §11: the catalog kept current in the bundle_images registry. */
const catalog = strictObject({
  repository: z
    .string()
    .min(1, 'must be a non-empty string')
    .refine((t) => !/\{(?!organization\})[^}]*\}/.test(t), 'may use only the placeholder {organization}')
    .default(DEFAULT_CATALOG_REPOSITORY),
  tag: z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/, 'must be an image tag')
    .default(DEFAULT_CATALOG_TAG),
  channels: z.enum(['replaces', 'semver'], { error: 'must be replaces or semver' }).default('replaces'),
  base_image: z
    .string()
    .superRefine((reference, ctx) => {
      const parsed = parseImageReference(reference);
      if (typeof parsed === 'string') {
        ctx.addIssue({
          code: 'custom',
          message: `is not a valid image reference (host[:port]/repository@sha256:<digest>): ${parsed}`,
        });
      }
    })
    .optional(),
});

const organization = strictObject({
  public: z.boolean().default(false),
  oauth_token: z.string().min(1).optional(),
  replace_registry: z.array(replacement).default([]),
  package_name_suffix: z.string().min(1).optional(),
  csv_annotations: z.array(strictObject({ name: z.string().min(1), value: z.string() })).default([]),
  bundle_images: bundleImages.optional(),
  catalog: catalog.optional(),
}).refine((o) => !o.catalog || o.bundle_images, {
  path: ['catalog'],
  message: 'needs bundle_images: the catalog lives in the bundle images registry',
});

/** A limit on clients or jobs, in seconds: positive, at most a day (a timer's range). */
const seconds = z
  .number()
  .positive('must be a positive number of seconds')
  .max(86_400, 'must be at most 86400 seconds (a day)');

const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;

const fileSchema = strictObject({
  quay_url: httpUrl.default('https://quay.io'),
  kojihub_url: httpUrl.default('https://koji.fedoraproject.org/kojihub'),
  kojiroot_url: httpUrl.default('https://kojipkgs.fedoraproject.org/'),
  request_timeout: z.number().positive('must be a positive number of seconds').default(60),
  client_headers_timeout: seconds.default(20),
  client_request_timeout: seconds.default(120),
  max_connections: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1_000_000, 'must be at most 1000000')
    .default(256),
  bundle_job_timeout: seconds.default(60),
  default_release_version: z
    .string()
    .refine(isValidVersion, 'must be a version <int>.<int>.<int>')
    .default('1.0.0'),
  zipfile_max_uncompressed_size: z
    .number()
    .int()
    .positive()
    .default(20 * 1024 * 1024),
  max_content_length: z
    .number()
    .int()
    .positive()
    .default(2 * 1024 * 1024),
  log_level: z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }))
    .default('INFO'),
  organizations: z
    .record(z.string().regex(ORG_NAME, 'is not a valid organization name'), organization)
    .superRefine((orgs, ctx) => {
      // The catalog repository template is only complete with the organization's name.
      for (const [name, org] of Object.entries(orgs)) {
        const template = org.catalog?.repository;
        if (template === undefined) continue;
        const repository = template.replaceAll('{organization}', name).toLowerCase();
        if (!isValidRepositoryName(repository)) {
          ctx.addIssue({
            code: 'custom',
            path: [name, 'catalog', 'repository'],
            message: `gives "${repository}", which is not a valid image repository name`,
          });
        }
      }
    })
    .default({}),
  greenwave: strictObject({
    url: httpUrl,
    context: z.string().min(1),
    product_version: z.string().min(1),
  }).optional(),
}).refine((c) => c.client_headers_timeout <= c.client_request_timeout, {
  path: ['client_headers_timeout'],
  message: 'must not be longer than client_request_timeout (the whole request includes its headers)',
});

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface AppConfig {
  quayUrl: string;
  kojihubUrl: string;
  kojirootUrl: string;
  /** Milliseconds for every upstream call (60 s by default). */
  requestTimeoutMs: number;
  /**
   * Limits on clients of the Node server (node-server.ts): milliseconds for a request's
   * headers (20 s) and for the whole request (120 s), and open connections per process (256).
   */
  clientLimits: ClientLimits;
  /** Milliseconds a bundle job may run in a bundle thread before it is stopped (60 s by default). */
  bundleJobTimeoutMs: number;
  defaultReleaseVersion: string;
  zipfileMaxUncompressedSize: number;
  maxContentLength: number;
  logLevel: LogLevel;
  /**
   * Keyed by names that arrive in request URLs: a Map, so that `constructor`, `__proto__` or
   * `toString` is an organization like any other, never a property every object inherits.
   */
  organizations: ReadonlyMap<string, OrganizationPolicy>;
  greenwave?: { url: string; context: string; productVersion: string };
}

export interface ClientLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  maxConnections: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates a parsed configuration object; throws ConfigError naming every bad or unknown key. */
export function parseConfig(raw: unknown): AppConfig {
  const input = raw === null || raw === undefined ? {} : raw;
  const refused = prototypeKeys(input);
  const result = fileSchema.safeParse(input);
  if (!result.success || refused.length > 0) {
    const issues = result.error?.issues ?? [];
    // Unknown keys first (a typo is the likelier mistake), each already named with its path by strictObject.
    const unknown = issues.filter((issue) => issue.code === 'unrecognized_keys').map((i) => i.message);
    const invalid = issues
      .filter((issue) => issue.code !== 'unrecognized_keys')
      .map((issue) => `${issue.path.length ? issue.path.map(String).join('.') : '(root)'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${[...unknown, ...refused, ...invalid].join('; ')}`);
  }
  const c = result.data;
  const organizations: Record<string, OrganizationPolicy> = {};
  for (const [name, org] of Object.entries(c.organizations)) {
    organizations[name] = {
      public: org.public,
      ...(org.oauth_token ? { oauthToken: org.oauth_token } : {}),
      replaceRegistry: org.replace_registry.map((r) => ({ old: r.old, new: r.new, regexp: r.regexp })),
      ...(org.package_name_suffix ? { packageNameSuffix: org.package_name_suffix } : {}),
      csvAnnotations: org.csv_annotations,
      ...(org.bundle_images
        ? { bundleImages: { registry: org.bundle_images.registry, repository: org.bundle_images.repository } }
        : {}),
      ...(org.catalog
        ? {
            catalog: {
              repository: org.catalog.repository,
              tag: org.catalog.tag,
              channels: org.catalog.channels,
              ...(org.catalog.base_image ? { baseImage: org.catalog.base_image } : {}),
            },
          }
        : {}),
    };
  }
  return {
    quayUrl: c.quay_url,
    kojihubUrl: c.kojihub_url,
    kojirootUrl: c.kojiroot_url,
    requestTimeoutMs: Math.max(1, Math.round(c.request_timeout * 1000)),
    clientLimits: {
      headersTimeoutMs: Math.max(1, Math.round(c.client_headers_timeout * 1000)),
      requestTimeoutMs: Math.max(1, Math.round(c.client_request_timeout * 1000)),
      maxConnections: c.max_connections,
    },
    bundleJobTimeoutMs: Math.max(1, Math.round(c.bundle_job_timeout * 1000)),
    defaultReleaseVersion: c.default_release_version,
    zipfileMaxUncompressedSize: c.zipfile_max_uncompressed_size,
    maxContentLength: c.max_content_length,
    logLevel: c.log_level,
    organizations: new Map(Object.entries(organizations)),
    ...(c.greenwave
      ? {
          greenwave: {
            url: c.greenwave.url,
            context: c.greenwave.context,
            productVersion: c.greenwave.product_version,
          },
        }
      : {}),
  };
}

/**
 * zod drops a `__proto__` key without a word (it would otherwise set the record's prototype):
 * an organization configured under that name would silently get no policy, so it is refused.
 */
function prototypeKeys(input: unknown): string[] {
  const orgs = isRecord(input) ? input.organizations : undefined;
  return isRecord(orgs) && Object.hasOwn(orgs, '__proto__')
    ? ['organizations.__proto__: is not a valid organization name']
    : [];
}

/** Parses the text of a YAML or JSON configuration file (JSON is YAML). */
export function parseConfigText(text: string, source = 'configuration'): AppConfig {
  return parseConfigTexts([{ text, source }]);
}

/**
 * Parses configuration texts in order (OMPS_CONF_FILE, then OMPS_SECRETS_FILE): a later text's
 * keys are laid over the earlier ones', mappings key by key and any other value replaced, so a
 * second file can add `organizations.<org>.oauth_token` to organizations the first one sets up.
 * A parse error names the source and the position, never the text (it may hold a token).
 */
export function parseConfigTexts(texts: readonly { text: string; source: string }[]): AppConfig {
  let merged: Record<string, unknown> = {};
  for (const { text, source } of texts) merged = layOver(merged, parseMapping(text, source));
  return parseConfig(merged);
}

function parseMapping(text: string, source: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    const pos = (e as { linePos?: [{ line: number; col: number }] }).linePos?.[0];
    throw new ConfigError(`Cannot parse ${source}${pos ? ` (line ${pos.line}, column ${pos.col})` : ''}`);
  }
  if (raw === null || raw === undefined) return {};
  if (!isRecord(raw)) {
    throw new ConfigError(`Invalid configuration: ${source} must be a mapping of keys`);
  }
  return raw as Record<string, unknown>;
}

function layOver(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const under = out[key];
    out[key] = isRecord(under) && isRecord(value) ? layOver(under, value) : value;
  }
  return out;
}

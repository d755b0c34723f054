/**
 * Configuration (SPEC §9): a YAML or JSON file named by OMPS_CONF_FILE, every
 * key optional, validated at start-up. An invalid file stops the service with
 * a message naming the key; so does an unknown key, at any level (unknown-keys.ts).
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DEFAULT_BUNDLE_REPOSITORY, type OrganizationPolicy } from '../domain/organization-policy.js';
import { PythonRegexpError, pythonSubstitution } from '../domain/python-regexp.js';
import { isValidVersion } from '../domain/release-version.js';
import { unknownKeys } from './unknown-keys.js';

const ORG_NAME = /^[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127}$/;

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const replacement = z
  .object({
    old: z.string().min(1, 'must be a non-empty string'),
    new: z.string(),
    regexp: z.boolean().default(false),
  })
  .strict()
  .superRefine((r, ctx) => {
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
const bundleImages = z
  .object({
    registry: httpUrl,
    repository: z
      .string()
      .min(1, 'must be a non-empty string')
      .refine(
        (t) => !/\{(?!organization\}|package_name\})[^}]*\}/.test(t),
        'may use only the placeholders {organization} and {package_name}',
      )
      .default(DEFAULT_BUNDLE_REPOSITORY),
  })
  .strict();

const organization = z
  .object({
    public: z.boolean().default(false),
    oauth_token: z.string().min(1).optional(),
    replace_registry: z.array(replacement).default([]),
    package_name_suffix: z.string().min(1).optional(),
    csv_annotations: z.array(z.object({ name: z.string().min(1), value: z.string() }).strict()).default([]),
    bundle_images: bundleImages.optional(),
  })
  .strict();

/** A limit on clients or jobs, in seconds: positive, at most a day (a timer's range). */
const seconds = z
  .number()
  .positive('must be a positive number of seconds')
  .max(86_400, 'must be at most 86400 seconds (a day)');

const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;

const fileSchema = z
  .object({
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
      .default({}),
    greenwave: z
      .object({ url: httpUrl, context: z.string().min(1), product_version: z.string().min(1) })
      .strict()
      .optional(),
  })
  .passthrough()
  .refine((c) => c.client_headers_timeout <= c.client_request_timeout, {
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
  organizations: Record<string, OrganizationPolicy>;
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
  const unknown = unknownKeys(fileSchema, input);
  const result = fileSchema.safeParse(input);
  if (unknown.length > 0 || !result.success) {
    const lines = (result.error?.issues ?? [])
      .filter((issue) => issue.code !== 'unrecognized_keys') // said better, with a suggestion, by unknownKeys
      .map((issue) => {
        const key = issue.path.length ? issue.path.map(String).join('.') : '(root)';
        return `${key}: ${issue.message}`;
      });
    throw new ConfigError(`Invalid configuration: ${[...unknown, ...lines].join('; ')}`);
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
    organizations,
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

/** Parses the text of a YAML or JSON configuration file (JSON is YAML). */
export function parseConfigText(text: string, source = 'configuration'): AppConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new ConfigError(`Cannot parse ${source}: ${(e as Error).message}`);
  }
  if (raw !== null && raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ConfigError(`Invalid configuration: ${source} must be a mapping of keys`);
  }
  return parseConfig(raw);
}

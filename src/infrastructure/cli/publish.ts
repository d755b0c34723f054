/**
 * `omps publish`: a client of a running OMPS service. Sends a zip (a folder is
 * zipped first) or names a Koji build, on API v2 — or v1 when --repository is
 * given — and prints the answer, or the error's id, message and validation findings.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { zipSync } from 'fflate';
import { type Command, parseCommand, stringOption } from './args.js';
import { EXIT_OK, usageError } from './cli-error.js';
import { isZipPath, readBundle, readZipBytes } from './files.js';
import { report, send } from './service-call.js';

const DEFAULT_TIMEOUT_S = 300;

const usage = `Usage: omps publish SOURCE --service URL --org ORG [options]
       omps publish --koji NVR --service URL --org ORG [options]

Publish operator manifests through a running OMPS service: SOURCE is a .zip
or a folder (zipped before sending); --koji publishes a Koji build's manifests
instead. The Quay token comes from $OMPS_TOKEN (or --token).

Options:
  --service URL        the OMPS service, e.g. https://omps.example.com
  --org ORG            the Quay organization (namespace)
  --repository REPO    use API v1: REPO must equal the bundle's packageName
  --version X.Y.Z      the release version (default: the service picks the next one)
  --koji NVR           publish this Koji build instead of SOURCE
  --dry-run            run every step but the push, and show what would be pushed
  --token TOKEN        the Quay token (default: $OMPS_TOKEN)
  --timeout SECONDS    give up waiting for the service after this long (default ${DEFAULT_TIMEOUT_S})
  -h, --help           show this help

Exit status: 0 published, 1 the service refused (its error is printed),
2 usage, I/O or connection error.
`;

export const publishCommand: Command = {
  name: 'publish',
  usage,
  async run(argv) {
    const args = parseCommand(argv, {
      options: {
        service: { type: 'string' },
        org: { type: 'string' },
        repository: { type: 'string' },
        version: { type: 'string' },
        koji: { type: 'string' },
        'dry-run': { type: 'boolean' },
        token: { type: 'string' },
        timeout: { type: 'string' },
      },
      positionals: ['SOURCE'] as const,
      optional: 1,
    });
    if (args.help) {
      process.stdout.write(usage);
      return EXIT_OK;
    }
    const option = (name: string) => stringOption(args.values, name);
    const [source] = args.positionals as unknown as [string | undefined];
    const koji = option('koji');
    if (koji !== undefined && source !== undefined)
      throw usageError('give either SOURCE or --koji, not both');
    if (koji === undefined && source === undefined) throw usageError('missing SOURCE (or --koji NVR)');
    const org = option('org');
    if (!org) throw usageError('--org is required');
    const token = option('token') ?? process.env.OMPS_TOKEN;
    if (!token) throw usageError('no Quay token: set OMPS_TOKEN or pass --token');
    const timeoutS = Number(option('timeout') ?? DEFAULT_TIMEOUT_S);
    if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw usageError('--timeout must be a positive number');

    const url = endpoint(option('service'), {
      org,
      repository: option('repository'),
      version: option('version'),
      koji,
      dryRun: args.values['dry-run'] === true,
    });
    const upload = source === undefined ? undefined : await zipOf(source);
    const answer = await send(url, token, upload, timeoutS * 1000);
    return report(answer);
  },
};

function endpoint(
  service: string | undefined,
  target: { org: string; repository?: string; version?: string; koji?: string; dryRun: boolean },
): URL {
  if (!service) throw usageError('--service is required');
  let base: URL;
  try {
    base = new URL(service);
  } catch {
    throw usageError(`--service ${service} is not a URL`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw usageError(`--service ${service} must be an http(s) URL`);
  }
  const segments = [target.repository === undefined ? 'v2' : 'v1', target.org];
  if (target.repository !== undefined) segments.push(target.repository);
  if (target.koji !== undefined) segments.push('koji', target.koji);
  else segments.push('zipfile');
  if (target.version !== undefined) segments.push(target.version);
  const path = segments.map(encodeURIComponent).join('/');
  const url = new URL(`${base.pathname.replace(/\/+$/, '')}/${path}`, base);
  if (target.dryRun) url.searchParams.set('dry_run', 'true');
  return url;
}

async function zipOf(source: string): Promise<{ filename: string; bytes: Uint8Array }> {
  const info = await stat(source).catch(() => undefined);
  if (info?.isFile() && isZipPath(source)) {
    return { filename: basename(source), bytes: await readZipBytes(source) };
  }
  const files = await readBundle(source);
  const entries = Object.fromEntries(files.map((f) => [f.path, f.data]));
  return { filename: `${basename(source) || 'manifests'}.zip`, bytes: zipSync(entries) };
}

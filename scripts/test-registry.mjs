#!/usr/bin/env node
/**
 * `npm run test:registry`: bundle images (SPEC §10) against the real CNCF
 * distribution registry (Debian package `docker-registry`), checked with
 * skopeo. Not part of `npm test`: it needs both binaries.
 *
 * For each mode — an anonymous registry, then one with htpasswd basic auth —
 * it starts `docker-registry serve` on 127.0.0.1 (a free port, a temporary
 * storage dir, `storage.delete.enabled: true`) and OMPS itself (dist/, real
 * adapters, an organization with `bundle_images`), then drives OMPS's HTTP
 * API: a nested operator with three versions uploaded to /v2/<org>/zipfile
 * must give three tags, each image carrying the six bundle labels and a layer
 * with manifests/ and metadata/annotations.yaml; a second identical push is a
 * no-op; changed content under an existing tag is refused; deletes remove tags.
 *
 * Catalogs (SPEC §11): `omps catalog push` of an FBC folder, checked with
 * skopeo (the configs label, one layer holding configs/, the digest printed,
 * the folder loading back with our FBC loader); then a 2-platform base image
 * (an `opm`-like index, seeded through our own registry client) and a catalog
 * pushed on it with the catalog adapter (its layers mounted, not copied),
 * checked per platform with `skopeo inspect --override-arch`: base layers
 * plus one, Entrypoint kept, `Cmd ["serve","/configs"]`, labels merged.
 *
 * Catalogs kept by the service (OMPS runs with WORKERS=2, an organization
 * with `catalog` and one with `catalog.base_image` on the seeded base image):
 * published packages are pulled back with skopeo and checked by our FBC
 * validator, bundles by the digests skopeo reports; concurrent publishes of
 * different packages all land; a refused delete leaves every tag; the base
 * image organization's catalog is checked per platform.
 *
 * Ends with "N passed, M failed"; exits non-zero when anything failed. Every
 * process it starts is stopped; every step is bounded in time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import bcrypt from 'bcryptjs';
import { gunzipSync, strToU8, zipSync } from 'fflate';
import { freePort } from './free-port.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REGISTRY_BIN = process.env.DOCKER_REGISTRY_BIN ?? '/usr/bin/docker-registry';
const SKOPEO_BIN = process.env.SKOPEO_BIN ?? 'skopeo';
const ORG = 'bundles';
/** Organizations with a catalog (SPEC §11): one plain, one on the 2-platform base image. */
const CATALOG_ORG = 'catalogs';
const BASED_ORG = 'based';
const BASE_REPOSITORY = 'opm/base';
const PACKAGE = 'widget';
const USER = 'omps';
const PASSWORD = 'registry-s3cret';
const LABELS = {
  mediatype: 'operators.operatorframework.io.bundle.mediatype.v1',
  manifests: 'operators.operatorframework.io.bundle.manifests.v1',
  metadata: 'operators.operatorframework.io.bundle.metadata.v1',
  package: 'operators.operatorframework.io.bundle.package.v1',
  channels: 'operators.operatorframework.io.bundle.channels.v1',
  defaultChannel: 'operators.operatorframework.io.bundle.channel.default.v1',
};
/** What each version's image must announce: stable's head is 2.0.0, alpha's is 1.1.0. */
const EXPECTED_CHANNELS = { '1.0.0': 'stable,alpha', '1.1.0': 'stable,alpha', '2.0.0': 'stable' };

let passed = 0;
let failed = 0;
const children = new Set();

function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok || !detail ? '' : `: ${detail}`}`);
}

// ------------------------------------------------------------------ processes

/** `log` keeps everything the process wrote (the registry's access log is counted). */
function start(command, args, env, log = false) {
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const keep = (d) => {
    output = log ? output + d : (output + d).slice(-8000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  children.add(child);
  child.on('exit', () => children.delete(child));
  return { child, output: () => output };
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {}
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
  }, 5000);
  await exited;
  clearTimeout(timer);
}

async function waitFor(url, accept, what, proc, ms = 30_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (accept(res.status)) return;
    } catch {}
    if (proc.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not start:\n${proc.output()}`);
}

function skopeo(args, creds) {
  const [command, ...rest] = args;
  const credsFlag = command === 'copy' ? '--src-creds' : '--creds';
  const full = [command, '--tls-verify=false', ...(creds ? [credsFlag, creds] : []), ...rest];
  const r = spawnSync(SKOPEO_BIN, full, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`skopeo ${args[0]} failed: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

// ---------------------------------------------------------------- test data

const crdText = `apiVersion: apiextensions.k8s.io/v1beta1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, listKind: WidgetList, plural: widgets, singular: widget}
  scope: Namespaced
  version: v1
`;

function csvText(version, replaces, description = 'Runs widgets.') {
  return `apiVersion: operators.coreos.com/v1alpha1
kind: ClusterServiceVersion
metadata:
  name: widget-operator.v${version}
  namespace: placeholder
  annotations:
    alm-examples: '[{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"example"},"spec":{}}]'
    capabilities: Basic Install
    categories: Developer Tools
    certified: "false"
    containerImage: quay.io/example/widget-operator:v${version}
    createdAt: "2020-01-01T00:00:00Z"
    description: Runs widgets.
    support: Example
spec:
  displayName: Widget Operator
  description: ${description}
  version: ${version}
${replaces ? `  replaces: widget-operator.v${replaces}\n` : ''}  maturity: stable
  provider: {name: Example}
  icon: [{base64data: iVBORw0KGgo=, mediatype: image/png}]
  installModes:
  - {type: OwnNamespace, supported: true}
  - {type: AllNamespaces, supported: true}
  customresourcedefinitions:
    owned:
    - {name: widgets.example.com, kind: Widget, version: v1, displayName: Widget, description: A widget}
  install:
    strategy: deployment
    spec:
      deployments:
      - name: widget-operator
        spec:
          replicas: 1
          selector: {matchLabels: {name: widget-operator}}
          template:
            metadata: {labels: {name: widget-operator}}
            spec:
              containers:
              - {name: widget-operator, image: "quay.io/example/widget-operator:v${version}"}
`;
}

/** A nested operator with three versions (1.0.0 ← 1.1.0 ← 2.0.0), zipped in a folder. */
function operatorZip(description) {
  return zipOf(operatorFiles(description));
}

function zipOf(files) {
  return zipSync(Object.fromEntries(Object.entries(files).map(([p, t]) => [p, strToU8(t)])));
}

/** The nested operator as another package `name` (its package, CSV, CRD and kind renamed). */
function renamedOperatorZip(name) {
  const kind = name[0].toUpperCase() + name.slice(1);
  const rename = (text) => text.replaceAll('widget', name).replaceAll('Widget', kind);
  return zipOf(Object.fromEntries(Object.entries(operatorFiles()).map(([p, t]) => [rename(p), rename(t)])));
}

function operatorFiles(description) {
  return {
    'widget/widget.package.yaml': `packageName: ${PACKAGE}
channels:
- {name: stable, currentCSV: widget-operator.v2.0.0}
- {name: alpha, currentCSV: widget-operator.v1.1.0}
defaultChannel: stable
`,
    'widget/1.0.0/widget.v1.0.0.clusterserviceversion.yaml': csvText('1.0.0', undefined, description),
    'widget/1.0.0/widgets.crd.yaml': crdText,
    'widget/1.1.0/widget.v1.1.0.clusterserviceversion.yaml': csvText('1.1.0', '1.0.0'),
    'widget/1.1.0/widgets.crd.yaml': crdText,
    'widget/2.0.0/widget.v2.0.0.clusterserviceversion.yaml': csvText('2.0.0', '1.1.0'),
    'widget/2.0.0/widgets.crd.yaml': crdText,
    'widget/2.0.0/metrics.service.yaml':
      'apiVersion: v1\nkind: Service\nmetadata: {name: widget-metrics}\nspec:\n  ports: [{port: 8443}]\n',
  };
}

// -------------------------------------------------------------- the checks

/** The names and contents of a tar's regular files (ustar, as OMPS writes them). */
function untar(tar) {
  const files = new Map();
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start, length) =>
      new TextDecoder().decode(header.subarray(start, start + length)).replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const name = (prefix ? `${prefix}/` : '') + field(0, 100);
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    if (type === '0' || type === '') files.set(name, tar.subarray(offset + 512, offset + 512 + size));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** `which`: the first layer (a bundle's only one) or the last (a catalog's configs on a base image). */
async function layerFiles(reference, creds, work, which = 'first') {
  const dir = await mkdtemp(path.join(work, 'oci-'));
  skopeo(['copy', '--insecure-policy', `docker://${reference}`, `oci:${dir}:image`], creds);
  const blob = async (digest) => readFile(path.join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length)));
  const index = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8'));
  const manifest = JSON.parse(await blob(index.manifests[0].digest));
  const layers = manifest.layers.map((l) => l.digest);
  const tar = gunzipSync(new Uint8Array(await blob(which === 'last' ? layers.at(-1) : layers[0])));
  return { layerCount: layers.length, files: untar(tar) };
}

async function runMode(mode, work) {
  console.log(`# ${mode === 'htpasswd' ? 'registry with htpasswd basic auth' : 'anonymous registry'}`);
  const dir = await mkdtemp(path.join(work, `${mode}-`));
  const registryPort = await freePort();
  const ompsPort = await freePort();
  const registryHost = `127.0.0.1:${registryPort}`;
  const auth = mode === 'htpasswd';
  if (auth) await writeFile(path.join(dir, 'htpasswd'), `${USER}:${bcrypt.hashSync(PASSWORD, 10)}\n`);
  await writeFile(
    path.join(dir, 'registry.yml'),
    [
      'version: 0.1',
      'log: {level: error, accesslog: {disabled: false}}',
      'storage:',
      `  filesystem: {rootdirectory: ${JSON.stringify(path.join(dir, 'data'))}}`,
      '  delete: {enabled: true}',
      `http: {addr: "${registryHost}"}`,
      ...(auth
        ? [`auth: {htpasswd: {realm: omps-test, path: ${JSON.stringify(path.join(dir, 'htpasswd'))}}}`]
        : []),
      '',
    ].join('\n'),
  );
  const registry = start(REGISTRY_BIN, ['serve', path.join(dir, 'registry.yml')], {}, true);
  let omps;
  try {
    await waitFor(`http://${registryHost}/v2/`, (s) => s === 200 || s === 401, 'docker-registry', registry);
    // The base image the catalog organization builds on must be there (by digest) before OMPS starts.
    const base = await seedBaseImage(await registryClient(auth, registryHost), BASE_REPOSITORY);
    const registryUrl = `http://${registryHost}`;
    await writeFile(
      path.join(dir, 'omps.yml'),
      [
        'request_timeout: 30',
        'log_level: ERROR',
        'quay_url: http://127.0.0.1:9',
        'organizations:',
        `  ${ORG}:`,
        `    bundle_images: {registry: "${registryUrl}"}`,
        `  ${CATALOG_ORG}:`,
        `    bundle_images: {registry: "${registryUrl}"}`,
        '    catalog: {}',
        `  ${BASED_ORG}:`,
        `    bundle_images: {registry: "${registryUrl}"}`,
        `    catalog: {base_image: "${registryHost}/${BASE_REPOSITORY}@${base.digest}"}`,
        '',
      ].join('\n'),
    );
    // Two processes: catalog writes from both meet only in the registry (SPEC §11, no lost update).
    omps = start(process.execPath, [path.join(ROOT, 'dist/src/infrastructure/main.js')], {
      OMPS_CONF_FILE: path.join(dir, 'omps.yml'),
      PORT: String(ompsPort),
      HOST: '127.0.0.1',
      WORKERS: '2',
    });
    await waitFor(`http://127.0.0.1:${ompsPort}/v2/about`, (s) => s === 200, 'OMPS', omps);
    const writes = () => (registry.output().match(/"(?:PUT|POST|PATCH|DELETE) \/v2\//g) ?? []).length;
    const ompsUrl = `http://127.0.0.1:${ompsPort}`;
    await flow({ auth, registryHost, omps: ompsUrl, work: dir, writes });
    await catalogFlow({ auth, registryHost, work: dir, log: registry.output });
    await serviceCatalogFlow({ auth, registryHost, omps: ompsUrl, work: dir, baseLayers: base.layers });
  } finally {
    await Promise.all([omps ? stop(omps.child) : undefined, stop(registry.child)]);
  }
}

async function flow({ auth, registryHost, omps, work, writes }) {
  const creds = auth ? `${USER}:${PASSWORD}` : undefined;
  const authorization = `Basic ${btoa(`${USER}:${PASSWORD}`)}`;
  const repository = `${ORG}/${PACKAGE}-bundle`;
  const upload = async (zip, { token = authorization, suffix = '' } = {}) => {
    const form = new FormData();
    form.append('file', new Blob([zip], { type: 'application/zip' }), 'widget.zip');
    const res = await fetch(`${omps}/v2/${ORG}/zipfile${suffix}`, {
      method: 'POST',
      headers: { Authorization: token },
      body: form,
      signal: AbortSignal.timeout(120_000),
    });
    return { status: res.status, body: await res.json() };
  };
  const tagsNow = () => {
    try {
      return JSON.parse(skopeo(['list-tags', `docker://${registryHost}/${repository}`], creds)).Tags.sort();
    } catch {
      return [];
    }
  };

  const health = await (await fetch(`${omps}/v2/health/ping`)).json();
  check(
    'health reports the registry as up',
    health.services?.bundle_registry?.ok === true,
    JSON.stringify(health),
  );

  if (auth) {
    const refused = await upload(operatorZip(), { token: `Basic ${btoa(`${USER}:wrong`)}` });
    check(
      'wrong registry credentials are refused (403 RegistryAuthorizationError), nothing pushed',
      refused.status === 403 && refused.body.error === 'RegistryAuthorizationError' && tagsNow().length === 0,
      JSON.stringify(refused),
    );
  }

  const explicit = await upload(operatorZip(), { suffix: '/1.0.0' });
  check(
    'an explicit version in the URL is refused (400 OMPSInvalidVersionFormat)',
    explicit.status === 400 && explicit.body.error === 'OMPSInvalidVersionFormat',
    JSON.stringify(explicit),
  );

  const first = await upload(operatorZip());
  const images = first.body.images ?? [];
  check(
    'the nested operator publishes three images',
    first.status === 200 &&
      images.length === 3 &&
      first.body.repo === PACKAGE &&
      first.body.version === '2.0.0',
    JSON.stringify(first.body),
  );
  check(
    'the answer names each image as <host:port>/<repository>:<version>',
    images.every(
      (i) =>
        i.image === `${registryHost}/${repository}:${i.version}` && /^sha256:[0-9a-f]{64}$/.test(i.digest),
    ),
    JSON.stringify(images),
  );
  check(
    'the registry holds three tags',
    JSON.stringify(tagsNow()) === JSON.stringify(['1.0.0', '1.1.0', '2.0.0']),
    String(tagsNow()),
  );

  for (const image of images) {
    const reference = `${registryHost}/${repository}:${image.version}`;
    const inspected = JSON.parse(skopeo(['inspect', `docker://${reference}`], creds));
    const labels = inspected.Labels ?? {};
    const expected = {
      [LABELS.mediatype]: 'registry+v1',
      [LABELS.manifests]: 'manifests/',
      [LABELS.metadata]: 'metadata/',
      [LABELS.package]: PACKAGE,
      [LABELS.channels]: EXPECTED_CHANNELS[image.version],
      [LABELS.defaultChannel]: 'stable',
    };
    check(
      `${image.version}: skopeo inspect shows the six bundle labels`,
      Object.entries(expected).every(([k, v]) => labels[k] === v) && Object.keys(labels).length === 6,
      JSON.stringify(labels),
    );
    check(
      `${image.version}: the digest is the one OMPS answered`,
      inspected.Digest === image.digest,
      inspected.Digest,
    );

    const { layerCount, files } = await layerFiles(reference, creds, work);
    const names = [...files.keys()].sort();
    const wanted = [
      `manifests/widget.v${image.version}.clusterserviceversion.yaml`,
      'manifests/widgets.crd.yaml',
      ...(image.version === '2.0.0' ? ['manifests/metrics.service.yaml'] : []),
      'metadata/annotations.yaml',
    ].sort();
    check(
      `${image.version}: one layer holding manifests/ and metadata/annotations.yaml`,
      layerCount === 1 && JSON.stringify(names) === JSON.stringify(wanted),
      JSON.stringify(names),
    );
    const annotations = new TextDecoder().decode(files.get('metadata/annotations.yaml'));
    check(
      `${image.version}: annotations.yaml holds the six annotations`,
      annotations.startsWith('annotations:\n') &&
        Object.entries(expected).every(([k, v]) => annotations.includes(`  ${k}: ${v}\n`)),
      annotations,
    );
  }

  const writesBefore = writes();
  const again = await upload(operatorZip());
  // The access log is written as requests finish; give it a moment to reach us.
  await new Promise((r) => setTimeout(r, 300));
  const writesDuring = writes() - writesBefore;
  check(
    'a second identical push is a no-op (same digests, same tags, no write reached the registry)',
    again.status === 200 &&
      writesDuring === 0 &&
      JSON.stringify(again.body.images) === JSON.stringify(images) &&
      JSON.stringify(tagsNow()) === JSON.stringify(['1.0.0', '1.1.0', '2.0.0']),
    `${writesDuring} writes; ${JSON.stringify(again.body)}`,
  );
  check(
    'the first push did write to the registry (the count above is meaningful)',
    writesBefore > 0,
    String(writesBefore),
  );

  const changed = await upload(operatorZip('Runs widgets, differently.'));
  const stillFirst = JSON.parse(
    skopeo(['inspect', `docker://${registryHost}/${repository}:1.0.0`], creds),
  ).Digest;
  check(
    'changed content under an existing tag is refused (500 RegistryError), nothing overwritten',
    changed.status === 500 && changed.body.error === 'RegistryError' && stillFirst === images[0].digest,
    JSON.stringify(changed.body),
  );

  const del = async (suffix) => {
    const res = await fetch(`${omps}/v2/${ORG}/${PACKAGE}${suffix}`, {
      method: 'DELETE',
      headers: { Authorization: authorization },
      signal: AbortSignal.timeout(60_000),
    });
    return { status: res.status, body: await res.json() };
  };
  const one = await del('/1.0.0');
  check(
    'DELETE /v2/<org>/<package>/1.0.0 removes that tag',
    one.status === 200 &&
      JSON.stringify(one.body.deleted) === '["1.0.0"]' &&
      JSON.stringify(tagsNow()) === JSON.stringify(['1.1.0', '2.0.0']),
    JSON.stringify(one.body),
  );
  const all = await del('');
  check(
    'DELETE /v2/<org>/<package> removes every tag',
    all.status === 200 &&
      JSON.stringify([...all.body.deleted].sort()) === '["1.1.0","2.0.0"]' &&
      tagsNow().length === 0,
    JSON.stringify(all.body),
  );
  const gone = await del('/1.0.0');
  check(
    'deleting a tag that is gone answers 404 QuayPackageNotFound',
    gone.status === 404,
    JSON.stringify(gone.body),
  );
}

// ------------------------------------------------------------------ catalogs

const CONFIGS_LABEL = 'operators.operatorframework.io.index.configs.v1';
const dist = (module) => import(path.join(ROOT, 'dist/src', module));

/** An FBC folder: one package, one channel, two bundles (by digest). */
const FBC = {
  'widget/catalog.json': [
    { schema: 'olm.package', name: PACKAGE, defaultChannel: 'stable' },
    {
      schema: 'olm.channel',
      package: PACKAGE,
      name: 'stable',
      entries: [
        { name: 'widget-operator.v1.0.0' },
        { name: 'widget-operator.v2.0.0', replaces: 'widget-operator.v1.0.0' },
      ],
    },
    ...['1.0.0', '2.0.0'].map((version, i) => ({
      schema: 'olm.bundle',
      package: PACKAGE,
      name: `widget-operator.v${version}`,
      image: `example.com/widget-bundle@sha256:${String(i + 1).repeat(64)}`,
      properties: [{ type: 'olm.package', value: { packageName: PACKAGE, version } }],
    })),
  ]
    .map((blob) => JSON.stringify(blob))
    .join('\n'),
};

function runCli(args, env) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/src/infrastructure/cli/main.js'), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A 2-platform base image like operator-registry's: per platform a config (Entrypoint /bin/opm) and 2 real layers. */
async function seedBaseImage(client, repository) {
  const { blob, json, descriptor } = await dist('domain/bundle-image/oci-image.js');
  const { writeTar } = await dist('domain/tar.js');
  const { gzipSync } = await import('node:zlib');
  const layer = async (name, text) =>
    blob(
      'application/vnd.oci.image.layer.v1.tar+gzip',
      gzipSync(writeTar([{ type: 'file', name, data: strToU8(text) }], { mtime: new Date(0) })),
    );
  const shared = await layer('etc/os-release', 'ID=test\n');
  const entries = [];
  const expected = {};
  for (const architecture of ['amd64', 'arm64']) {
    const own = await layer('bin/opm', `#!/bin/sh\necho opm for ${architecture}\n`);
    const diffIds = [`sha256:${'1'.repeat(64)}`, `sha256:${'2'.repeat(64)}`];
    // As operator-registry's image: runs as 1001, `opm` the entrypoint, `registry serve` its old default.
    const runtime = {
      User: '1001',
      Env: ['PATH=/bin'],
      Entrypoint: ['/bin/opm'],
      Cmd: ['registry', 'serve'],
    };
    const labels = { 'io.example.base': architecture };
    const history = ['ADD os-release', 'ADD opm'].map((step) => ({ created_by: step }));
    const config = await blob(
      'application/vnd.oci.image.config.v1+json',
      json({
        architecture,
        os: 'linux',
        config: { ...runtime, Labels: labels },
        rootfs: { type: 'layers', diff_ids: diffIds },
        history,
      }),
    );
    const manifest = await blob(
      'application/vnd.oci.image.manifest.v1+json',
      json({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: descriptor(config),
        layers: [descriptor(shared), descriptor(own)],
      }),
    );
    for (const b of [shared, own, config]) {
      if (!(await client.hasBlob(repository, b.digest))) await client.upload(repository, b.digest, b.data);
    }
    await client.putManifest(repository, manifest.digest, manifest);
    entries.push({ ...descriptor(manifest), platform: { architecture, os: 'linux' } });
    expected[architecture] = [shared.digest, own.digest];
  }
  const index = await blob(
    'application/vnd.oci.image.index.v1+json',
    json({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries }),
  );
  await client.putManifest(repository, 'v1', index);
  return { layers: expected, digest: index.digest };
}

/** `skopeo inspect` of one platform of an index: the image (layers) and its config. */
function platformImage(reference, architecture, creds) {
  const platform = ['--override-arch', architecture, '--override-os', 'linux'];
  return {
    image: JSON.parse(skopeo(['inspect', ...platform, `docker://${reference}`], creds)),
    config: JSON.parse(skopeo(['inspect', '--config', ...platform, `docker://${reference}`], creds)),
  };
}

/** Our own registry client, for seeding. */
async function registryClient(auth, registryHost) {
  const { OciCatalogRegistry } = await dist('adapters/oci/oci-catalog-registry.js');
  const { zlibLayerCodec } = await dist('adapters/node-native/zlib-layer-codec.js');
  const catalogs = new OciCatalogRegistry({ timeoutMs: 30_000, codec: zlibLayerCodec });
  return catalogs.client(`http://${registryHost}`, auth ? `Basic ${btoa(`${USER}:${PASSWORD}`)}` : '');
}

async function catalogFlow({ auth, registryHost, work, log }) {
  const creds = auth ? `${USER}:${PASSWORD}` : undefined;
  const env = auth ? { OMPS_REGISTRY_AUTH: creds } : { OMPS_REGISTRY_AUTH: '' };
  const folder = path.join(work, 'fbc');
  for (const [name, text] of Object.entries(FBC)) {
    await mkdir(path.dirname(path.join(folder, name)), { recursive: true });
    await writeFile(path.join(folder, name), text);
  }
  const reference = `${registryHost}/${ORG}/catalog:v1`;

  if (auth) {
    const refused = runCli(['catalog', 'push', folder, reference, '--plain-http'], {
      OMPS_REGISTRY_AUTH: `${USER}:wrong`,
    });
    check(
      'catalog push: wrong credentials exit 1 with RegistryAuthorizationError',
      refused.code === 1 && refused.stderr.startsWith('RegistryAuthorizationError: '),
      `${refused.code} ${refused.stderr}`,
    );
  }

  const pushed = runCli(['catalog', 'push', folder, reference, '--plain-http'], env);
  const digest = /^Digest: (sha256:[0-9a-f]{64})$/m.exec(pushed.stdout)?.[1];
  check(
    'omps catalog push exits 0 and prints the reference and digest',
    pushed.code === 0 && pushed.stdout.startsWith(`Pushed ${reference}\n`) && digest !== undefined,
    `${pushed.code} ${pushed.stdout} ${pushed.stderr}`,
  );
  const inspected = JSON.parse(skopeo(['inspect', `docker://${reference}`], creds));
  check(
    'catalog image: skopeo sees the configs label and the digest printed',
    inspected.Labels?.[CONFIGS_LABEL] === '/configs' && inspected.Digest === digest,
    JSON.stringify({ labels: inspected.Labels, digest: inspected.Digest }),
  );
  const { layerCount, files } = await layerFiles(reference, creds, work);
  check(
    'catalog image: one layer holding configs/widget/catalog.json, byte for byte',
    layerCount === 1 &&
      JSON.stringify([...files.keys()]) === '["configs/widget/catalog.json"]' &&
      new TextDecoder().decode(files.get('configs/widget/catalog.json')) === FBC['widget/catalog.json'],
    JSON.stringify([...files.keys()]),
  );
  const { loadConfig } = await dist('domain/catalog/declcfg-load.js');
  let loaded;
  try {
    const configs = [...files].map(([name, data]) => ({ path: name.slice('configs/'.length), data }));
    loaded = loadConfig(configs);
  } catch (error) {
    loaded = error;
  }
  check(
    'catalog image: its /configs loads back as FBC (1 package, 1 channel, 2 bundles)',
    loaded?.packages?.length === 1 && loaded.channels.length === 1 && loaded.bundles.length === 2,
    String(loaded?.message ?? JSON.stringify(loaded)),
  );
  const again = runCli(['catalog', 'push', folder, reference, '--plain-http'], env);
  check(
    'catalog push of the same folder gives the same digest',
    again.code === 0 && again.stdout.includes(`Digest: ${digest}\n`),
    again.stdout,
  );

  // A catalog on a 2-platform base image, through the catalog adapter itself.
  const { OciCatalogRegistry } = await dist('adapters/oci/oci-catalog-registry.js');
  const { zlibLayerCodec } = await dist('adapters/node-native/zlib-layer-codec.js');
  const catalogs = new OciCatalogRegistry({ timeoutMs: 30_000, codec: zlibLayerCodec });
  const authorization = auth ? `Basic ${btoa(creds)}` : '';
  const { layers: baseLayers } = await seedBaseImage(
    catalogs.client(`http://${registryHost}`, authorization),
    BASE_REPOSITORY,
  );
  const session = catalogs.session(`http://${registryHost}`, authorization);
  const onBase = `${registryHost}/${ORG}/catalog-on-base:v1`;
  let baseDigest;
  try {
    const base = await session.resolveBase(`${registryHost}/opm/base:v1`);
    const configs = Object.entries(FBC).map(([name, text]) => ({ path: name, data: strToU8(text) }));
    baseDigest = await session.pushCatalog(`${ORG}/catalog-on-base`, 'v1', configs, base);
  } catch (error) {
    baseDigest = undefined;
    check('catalog on a base image is pushed', false, error instanceof Error ? error.message : String(error));
  }
  if (!baseDigest) return;
  await new Promise((r) => setTimeout(r, 300));
  const mounts = (
    log().match(
      /"POST \/v2\/bundles\/catalog-on-base\/blobs\/uploads\/\?mount=sha256(?:%3A|:)[0-9a-f]{64}&from=opm(?:%2F|\/)base HTTP\/1\.1" 201 /g,
    ) ?? []
  ).length;
  check(
    'catalog on a base image: the 3 base layers were mounted, not copied',
    mounts === 3,
    `${mounts} mounts answered 201`,
  );
  const raw = JSON.parse(skopeo(['inspect', '--raw', `docker://${onBase}`], creds));
  check(
    'catalog on a base image: an OCI index of the two platforms, under the digest pushed',
    raw.mediaType === 'application/vnd.oci.image.index.v1+json' &&
      JSON.stringify(raw.manifests.map((m) => m.platform.architecture)) === '["amd64","arm64"]' &&
      JSON.parse(skopeo(['inspect', '--override-arch', 'amd64', `docker://${onBase}`], creds)).Name !==
        undefined,
    JSON.stringify(raw),
  );
  for (const architecture of ['amd64', 'arm64']) {
    const { image, config } = platformImage(onBase, architecture, creds);
    check(
      `catalog on a base image (${architecture}): the base's two layers, then one more`,
      image.Layers?.length === 3 &&
        JSON.stringify(image.Layers.slice(0, 2)) === JSON.stringify(baseLayers[architecture]),
      JSON.stringify(image.Layers),
    );
    check(
      `catalog on a base image (${architecture}): Entrypoint and User kept, Cmd serve /configs, labels merged`,
      config.architecture === architecture &&
        JSON.stringify(config.config?.Entrypoint) === '["/bin/opm"]' &&
        config.config?.User === '1001' &&
        JSON.stringify(config.config?.Cmd) === '["serve","/configs"]' &&
        config.config?.Labels?.['io.example.base'] === architecture &&
        config.config?.Labels?.[CONFIGS_LABEL] === '/configs' &&
        config.rootfs?.diff_ids?.length === 3,
      JSON.stringify(config.config),
    );
  }
  const last = await layerFiles(`${onBase}`, creds, work, 'last');
  check(
    'catalog on a base image: its last layer holds configs/ (skopeo copy round trip)',
    last.layerCount === 3 && JSON.stringify([...last.files.keys()]) === '["configs/widget/catalog.json"]',
    JSON.stringify([...last.files.keys()]),
  );
  const read = await session.readCatalog(`${ORG}/catalog-on-base`, 'v1');
  check(
    'catalog on a base image: read back by the adapter with the same digest and configs',
    read?.digest === baseDigest &&
      JSON.stringify(read.configs.map((f) => f.path)) === '["widget/catalog.json"]',
    JSON.stringify(read?.digest),
  );
}

// ------------------------------------------------------- catalogs through OMPS

/** The FBC blobs of a catalog.json (JSON objects one after another). */
function blobsOf(data) {
  return new TextDecoder()
    .decode(data)
    .split(/\n(?=\{)/)
    .filter((b) => b.trim())
    .map((b) => JSON.parse(b));
}

/** The `configs/` files of a layer, as our loader wants them (paths relative to /configs). */
function configsOf(files) {
  return [...files]
    .filter(([name]) => name.startsWith('configs/'))
    .map(([name, data]) => ({ path: name.slice('configs/'.length), data }));
}

/** What our validator says about a pulled catalog: `[]` when valid, else its messages. */
async function verdict(files) {
  const { loadConfig } = await dist('domain/catalog/declcfg-load.js');
  const { validateConfig } = await dist('domain/catalog/validate.js');
  try {
    return validateConfig(loadConfig(configsOf(files)));
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}

/** The package folders of a pulled catalog, sorted. */
const foldersOf = (files) =>
  [...new Set([...files.keys()].map((name) => name.split('/')[1]).filter(Boolean))].sort();

async function serviceCatalogFlow({ auth, registryHost, omps, work, baseLayers }) {
  console.log('# catalogs kept by OMPS (WORKERS=2)');
  const creds = auth ? `${USER}:${PASSWORD}` : undefined;
  const authorization = `Basic ${btoa(`${USER}:${PASSWORD}`)}`;
  const catalogImage = `${registryHost}/${CATALOG_ORG}/catalog:latest`;
  const call = async (method, route, body) => {
    const init = { method, headers: { Authorization: authorization }, signal: AbortSignal.timeout(120_000) };
    if (body) {
      const form = new FormData();
      form.append('file', new Blob([body], { type: 'application/zip' }), 'operator.zip');
      init.body = form;
    }
    const res = await fetch(`${omps}${route}`, init);
    const text = await res.text();
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed };
  };
  const tagsOf = (repository) => {
    try {
      return JSON.parse(skopeo(['list-tags', `docker://${registryHost}/${repository}`], creds)).Tags.sort();
    } catch {
      return [];
    }
  };
  const digestOf = (reference) => JSON.parse(skopeo(['inspect', `docker://${reference}`], creds)).Digest;

  // An etcd-like nested operator (3 versions) and a second package.
  const widget = await call('POST', `/v2/${CATALOG_ORG}/zipfile`, operatorZip());
  check(
    'publish answers catalog {image, digest, changed: true}',
    widget.status === 200 &&
      widget.body.catalog?.image === catalogImage &&
      /^sha256:[0-9a-f]{64}$/.test(widget.body.catalog?.digest ?? '') &&
      widget.body.catalog?.changed === true,
    JSON.stringify(widget.body),
  );
  const gadget = await call('POST', `/v2/${CATALOG_ORG}/zipfile`, renamedOperatorZip('gadget'));
  check(
    'a second package is published into the same catalog',
    gadget.status === 200 && gadget.body.catalog?.changed === true && gadget.body.images?.length === 3,
    JSON.stringify(gadget.body),
  );
  const inspected = JSON.parse(skopeo(['inspect', `docker://${catalogImage}`], creds));
  check(
    'catalog image: skopeo sees the configs label and the digest OMPS answered',
    inspected.Labels?.[CONFIGS_LABEL] === '/configs' && inspected.Digest === gadget.body.catalog?.digest,
    JSON.stringify({ labels: inspected.Labels, digest: inspected.Digest, answered: gadget.body.catalog }),
  );
  const pulled = await layerFiles(catalogImage, creds, work);
  check(
    'catalog image: one layer with configs/gadget/catalog.json and configs/widget/catalog.json',
    pulled.layerCount === 1 &&
      JSON.stringify([...pulled.files.keys()].sort()) ===
        '["configs/gadget/catalog.json","configs/widget/catalog.json"]',
    JSON.stringify([...pulled.files.keys()]),
  );
  const problems = await verdict(pulled.files);
  check('catalog image: our validator finds its /configs valid', problems.length === 0, problems.join('; '));
  let byDigest = true;
  const mismatches = [];
  for (const name of ['widget', 'gadget']) {
    const bundles = blobsOf(pulled.files.get(`configs/${name}/catalog.json`) ?? new Uint8Array()).filter(
      (b) => b.schema === 'olm.bundle',
    );
    const repository = `${CATALOG_ORG}/${name}-bundle`;
    const versions = tagsOf(repository);
    if (bundles.length !== 3 || JSON.stringify(versions) !== '["1.0.0","1.1.0","2.0.0"]') byDigest = false;
    for (const version of versions) {
      const wanted = `${registryHost}/${repository}@${digestOf(`${registryHost}/${repository}:${version}`)}`;
      const bundle = bundles.find((b) => b.name === `${name}-operator.v${version}`);
      if (bundle?.image !== wanted) {
        byDigest = false;
        mismatches.push(`${bundle?.image} != ${wanted}`);
      }
    }
  }
  check(
    "catalog image: each olm.bundle's image is its bundle image by the digest skopeo reports",
    byDigest,
    mismatches.join('; '),
  );
  const lines = await call('GET', `/v2/${CATALOG_ORG}/catalog/gadget`);
  const gadgetBlobs = typeof lines.body === 'string' ? lines.body.trim().split('\n') : [];
  check(
    'GET /v2/<org>/catalog/<package> answers its blobs as JSON lines',
    lines.status === 200 &&
      gadgetBlobs.length === 6 &&
      gadgetBlobs.every(
        (line) => JSON.parse(line).package === 'gadget' || JSON.parse(line).name === 'gadget',
      ),
    `${lines.status} ${JSON.stringify(lines.body).slice(0, 300)}`,
  );

  // Concurrent publishes of different packages, spread over the two processes.
  const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
  const answers = await Promise.all(
    names.map((name) => call('POST', `/v2/${CATALOG_ORG}/zipfile`, renamedOperatorZip(name))),
  );
  check(
    `${names.length} concurrent publishes of different packages all succeed`,
    answers.every((a) => a.status === 200 && a.body.catalog?.image === catalogImage),
    JSON.stringify(answers.filter((a) => a.status !== 200).map((a) => a.body)),
  );
  const everyone = [...names, 'gadget', 'widget'].sort();
  const listed = await call('GET', `/v2/${CATALOG_ORG}/catalog`);
  check(
    'GET /v2/<org>/catalog lists every package after the concurrent publishes',
    listed.status === 200 &&
      JSON.stringify(listed.body.packages) === JSON.stringify(everyone) &&
      listed.body.digest === digestOf(catalogImage),
    JSON.stringify(listed.body),
  );
  const afterRace = await layerFiles(catalogImage, creds, work);
  const raceProblems = await verdict(afterRace.files);
  check(
    'the pulled catalog holds all 8 packages and is valid (no lost update)',
    JSON.stringify(foldersOf(afterRace.files)) === JSON.stringify(everyone) && raceProblems.length === 0,
    `${JSON.stringify(foldersOf(afterRace.files))} ${raceProblems.join('; ')}`,
  );

  // Deletes: the middle of the replaces chain is refused, the head goes.
  const before = digestOf(catalogImage);
  const middle = await call('DELETE', `/v2/${CATALOG_ORG}/widget/1.1.0`);
  check(
    'deleting the middle of a replaces chain is refused (400 CatalogValidationError)',
    middle.status === 400 && middle.body.error === 'CatalogValidationError',
    JSON.stringify(middle.body),
  );
  check(
    'the refused delete left every bundle tag and the catalog as they were',
    JSON.stringify(tagsOf(`${CATALOG_ORG}/widget-bundle`)) === '["1.0.0","1.1.0","2.0.0"]' &&
      digestOf(catalogImage) === before,
    String(tagsOf(`${CATALOG_ORG}/widget-bundle`)),
  );
  const head = await call('DELETE', `/v2/${CATALOG_ORG}/widget/2.0.0`);
  const afterDelete = await layerFiles(catalogImage, creds, work);
  const widgetNow = blobsOf(afterDelete.files.get('configs/widget/catalog.json') ?? new Uint8Array());
  const deleteProblems = await verdict(afterDelete.files);
  check(
    'deleting the head removes its tag and its bundle from the catalog, which stays valid',
    head.status === 200 &&
      JSON.stringify(tagsOf(`${CATALOG_ORG}/widget-bundle`)) === '["1.0.0","1.1.0"]' &&
      head.body.catalog?.digest === digestOf(catalogImage) &&
      head.body.catalog.digest !== before &&
      JSON.stringify(
        widgetNow
          .filter((b) => b.schema === 'olm.bundle')
          .map((b) => b.name)
          .sort(),
      ) === '["widget-operator.v1.0.0","widget-operator.v1.1.0"]' &&
      deleteProblems.length === 0,
    `${JSON.stringify(head.body)} ${deleteProblems.join('; ')}`,
  );

  // The organization whose catalog is built on the 2-platform base image.
  const basedImage = `${registryHost}/${BASED_ORG}/catalog:latest`;
  const based = await call('POST', `/v2/${BASED_ORG}/zipfile`, operatorZip());
  check(
    'base_image organization: publish answers the catalog on the base image',
    based.status === 200 && based.body.catalog?.image === basedImage && based.body.catalog?.changed === true,
    JSON.stringify(based.body),
  );
  if (based.status !== 200) return;
  const raw = JSON.parse(skopeo(['inspect', '--raw', `docker://${basedImage}`], creds));
  check(
    'base_image organization: the tag is an OCI index of the two platforms',
    raw.mediaType === 'application/vnd.oci.image.index.v1+json' &&
      JSON.stringify(raw.manifests.map((m) => m.platform?.architecture)) === '["amd64","arm64"]' &&
      digestOf(basedImage) === based.body.catalog.digest,
    JSON.stringify(raw),
  );
  for (const architecture of ['amd64', 'arm64']) {
    const { image, config } = platformImage(basedImage, architecture, creds);
    check(
      `base_image organization (${architecture}): the base's layers, then one; Entrypoint kept, Cmd serve /configs, the configs label`,
      image.Layers?.length === 3 &&
        JSON.stringify(image.Layers.slice(0, 2)) === JSON.stringify(baseLayers[architecture]) &&
        JSON.stringify(config.config?.Entrypoint) === '["/bin/opm"]' &&
        JSON.stringify(config.config?.Cmd) === '["serve","/configs"]' &&
        config.config?.Labels?.[CONFIGS_LABEL] === '/configs' &&
        config.config?.Labels?.['io.example.base'] === architecture,
      JSON.stringify({ layers: image.Layers, config: config.config }),
    );
  }
  const last = await layerFiles(basedImage, creds, work, 'last');
  const basedProblems = await verdict(last.files);
  check(
    'base_image organization: the last layer holds a valid configs/widget/catalog.json',
    JSON.stringify([...last.files.keys()]) === '["configs/widget/catalog.json"]' &&
      basedProblems.length === 0,
    `${JSON.stringify([...last.files.keys()])} ${basedProblems.join('; ')}`,
  );
}

// ---------------------------------------------------------------------- main

async function main() {
  const overall = setTimeout(() => {
    console.error('test:registry: overall time limit reached');
    for (const child of children) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }
    process.exit(1);
  }, 10 * 60_000);
  const missing = [REGISTRY_BIN, SKOPEO_BIN].filter(
    (bin) => !(bin.includes('/') ? existsSync(bin) : spawnSync(bin, ['--version']).status === 0),
  );
  if (!existsSync(path.join(ROOT, 'dist/src/infrastructure/main.js'))) missing.push('dist/ (npm run build)');
  if (missing.length > 0) {
    check('prerequisites', false, `missing: ${missing.join(', ')}`);
  } else {
    const work = await mkdtemp(path.join(tmpdir(), 'omps-registry-'));
    try {
      for (const mode of ['anonymous', 'htpasswd']) {
        try {
          await runMode(mode, work);
        } catch (error) {
          check(`${mode}: the run completed`, false, error instanceof Error ? error.message : String(error));
        }
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
  clearTimeout(overall);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

await main();

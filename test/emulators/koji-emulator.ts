/**
 * A small Koji emulator: a hub speaking real XML-RPC envelopes (it parses the
 * methodCall and answers a methodResponse or a fault, formatted the way
 * Python's xmlrpc.client does) for getBuild, getBuildLogs and getAPIVersion,
 * and a files root serving archives. Its XML-RPC encoding is its own, not the
 * adapter's codec, so a codec bug cannot cancel itself out.
 *
 * Faults can be injected per hub method or per file (fault, HTTP status,
 * malformed body, delay, a body that stalls); close() makes its port refuse
 * connections.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { Hono } from 'hono';
import { EmulatorServer } from './serve.js';

export type KojiHubMethod = 'getBuild' | 'getBuildLogs' | 'getAPIVersion';

export interface KojiHubFault {
  /** Answer this XML-RPC fault. */
  fault?: { faultCode: number; faultString: string };
  /** Answer this HTTP status (with an HTML body, like Apache in front of the hub). */
  status?: number;
  /** Answer 200 with this body as text/xml (malformed XML, a wrong envelope…). */
  body?: string;
  /** Wait this long first (then answer normally, when nothing else is set). */
  delayMs?: number;
  /** Apply to this many calls only; every call until cleared by default. */
  times?: number;
}

export interface KojiFileFault {
  status?: number;
  /** Wait this long before sending the headers. */
  delayMs?: number;
  /** Send the headers and this many bytes of the body, then stall until the emulator closes. */
  stallAfterBytes?: number;
  times?: number;
}

export interface EmulatedFile {
  data: Uint8Array;
  /** Send without Content-Length (chunked). */
  chunked?: boolean;
  /** Repeat `data` forever (chunked): a body that never ends. */
  endless?: boolean;
}

export interface EmulatedBuild {
  id: number;
  nvr: string;
  name: string;
  version: string;
  release: string;
  /** `null` as some old builds have; otherwise the build's `extra` struct. */
  extra: Record<string, unknown> | null;
}

export interface EmulatedLog {
  name: string;
  dir: string;
  path: string;
}

export interface RecordedCall {
  method: string;
  params: unknown[];
  headers: Record<string, string>;
  body: string;
}

export interface RecordedDownload {
  path: string;
  headers: Record<string, string>;
}

/** The builds every emulator starts with (SPEC §7's cases). */
export const SEEDED = {
  /** New-style: `extra.typeinfo["operator-manifests"].archive`. */
  typeinfo: 'etcd-operator-metadata-0.9.2-1',
  /** Old-style: `extra.operator_manifests_archive`, listed by getBuildLogs. */
  legacy: 'etcd-operator-legacy-0.9.0-3',
  /** An ordinary RPM build. */
  notAnOperator: 'bash-5.2.26-3.fc40',
  /** A build whose `extra` is null. */
  extraNull: 'ancient-operator-1.0-1',
  /** Old-style, but getBuildLogs does not list the archive. */
  legacyUnlisted: 'etcd-operator-lost-0.9.0-4',
  archiveName: 'operator_manifests.zip',
} as const;

export class KojiEmulatorState {
  readonly builds = new Map<string, EmulatedBuild>();
  readonly logs = new Map<number, EmulatedLog[]>();
  /** Keyed by path under the files root, e.g. `packages/n/v/r/files/...`. */
  readonly files = new Map<string, EmulatedFile>();
  readonly calls: RecordedCall[] = [];
  readonly downloads: RecordedDownload[] = [];
  readonly hubFaults = new Map<KojiHubMethod | '*', KojiHubFault>();
  readonly fileFaults = new Map<string, KojiFileFault>();
  private nextId = 1000;

  /** A new-style operator build with its archive under `files/operator-manifests/`. */
  addOperatorBuild(
    nvr: string,
    archive: Uint8Array,
    archiveName: string = SEEDED.archiveName,
  ): EmulatedBuild {
    const build = this.addBuild(nvr, {
      container_koji_task_id: 4242,
      image: { autorebuild: false, help: null, isolated: false },
      typeinfo: { image: {}, 'operator-manifests': { archive: archiveName } },
    });
    this.files.set(`${buildDir(build)}/files/operator-manifests/${archiveName}`, { data: archive });
    return build;
  }

  /** An old-style operator build; `listed: false` leaves the archive out of getBuildLogs. */
  addLegacyBuild(
    nvr: string,
    archive: Uint8Array,
    options: { archiveName?: string; listed?: boolean } = {},
  ): EmulatedBuild {
    const archiveName = options.archiveName ?? SEEDED.archiveName;
    const build = this.addBuild(nvr, {
      container_koji_task_id: 4243,
      operator_manifests_archive: archiveName,
    });
    const logDir = `${buildDir(build)}/data/logs`;
    const logs: EmulatedLog[] = [
      { name: 'build.log', dir: 'noarch', path: `${logDir}/noarch/build.log` },
      { name: 'orchestrator.log', dir: 'noarch', path: `${logDir}/noarch/orchestrator.log` },
    ];
    if (options.listed ?? true) {
      logs.push({ name: archiveName, dir: 'noarch', path: `${logDir}/noarch/${archiveName}` });
      this.files.set(`${logDir}/noarch/${archiveName}`, { data: archive });
    }
    this.logs.set(build.id, logs);
    return build;
  }

  addBuild(nvr: string, extra: Record<string, unknown> | null): EmulatedBuild {
    const match = /^(.+)-([^-]+)-([^-]+)$/.exec(nvr);
    if (!match) throw new Error(`not an NVR: ${nvr}`);
    const [, name = '', version = '', release = ''] = match;
    const build = { id: this.nextId++, nvr, name, version, release, extra };
    this.builds.set(nvr, build);
    this.logs.set(build.id, []);
    return build;
  }

  /** Injects a fault for every call of `method` ('*' = any method), or `fault.times` calls. */
  failHub(method: KojiHubMethod | '*', fault: KojiHubFault): void {
    this.hubFaults.set(method, { ...fault });
  }

  /** Injects a fault for downloads of `path` ('*' = any file). */
  failFile(path: string, fault: KojiFileFault): void {
    this.fileFaults.set(path, { ...fault });
  }

  clearFaults(): void {
    this.hubFaults.clear();
    this.fileFaults.clear();
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  takeHubFault(method: string): KojiHubFault | undefined {
    const key = this.hubFaults.has(method as KojiHubMethod) ? (method as KojiHubMethod) : '*';
    return take(this.hubFaults, key);
  }

  takeFileFault(path: string): KojiFileFault | undefined {
    return take(this.fileFaults, this.fileFaults.has(path) ? path : '*');
  }
}

function take<K, F extends { times?: number }>(faults: Map<K, F>, key: K): F | undefined {
  const fault = faults.get(key);
  if (!fault) return undefined;
  if (fault.times !== undefined) {
    fault.times -= 1;
    if (fault.times <= 0) faults.delete(key);
  }
  return fault;
}

function buildDir(build: EmulatedBuild): string {
  return `packages/${build.name}/${build.version}/${build.release}`;
}

/** Distinct, deterministic bytes standing for a build's manifests archive. */
export function archiveBytes(seed: string, size = 2048): Uint8Array {
  const bytes = new Uint8Array(size);
  let x = 2166136261;
  for (const c of seed) x = Math.imul(x ^ c.charCodeAt(0), 16777619);
  for (let i = 0; i < size; i++) {
    x = Math.imul(x ^ (x >>> 13), 1274126177) >>> 0;
    bytes[i] = x & 0xff;
  }
  bytes.set([0x50, 0x4b, 0x03, 0x04].slice(0, size)); // "PK\3\4", like a zip
  return bytes;
}

export interface KojiEmulatorOptions {
  /** Seed SEEDED's builds (default true). */
  seed?: boolean;
}

export interface KojiEmulator {
  /** The XML-RPC endpoint, e.g. `http://127.0.0.1:40123/kojihub`. */
  hubUrl: string;
  /** The files root, with a trailing slash like Koji's own: `http://127.0.0.1:40123/kojifiles/`. */
  rootUrl: string;
  state: KojiEmulatorState;
  /** Stops the server (idempotent): its port then refuses connections. Pending delays and stalls end at once. */
  close(): Promise<void>;
}

export async function startKojiEmulator(options: KojiEmulatorOptions = {}): Promise<KojiEmulator> {
  const state = new KojiEmulatorState();
  if (options.seed ?? true) {
    state.addOperatorBuild(SEEDED.typeinfo, archiveBytes(SEEDED.typeinfo));
    state.addLegacyBuild(SEEDED.legacy, archiveBytes(SEEDED.legacy));
    state.addBuild(SEEDED.notAnOperator, { source: 'git+https://src.fedoraproject.org/rpms/bash.git' });
    state.addBuild(SEEDED.extraNull, null);
    state.addLegacyBuild(SEEDED.legacyUnlisted, archiveBytes(SEEDED.legacyUnlisted), { listed: false });
  }

  const server = new EmulatorServer();

  const app = new Hono();

  app.post('/kojihub', async (c) => {
    const body = await c.req.text();
    const headers = Object.fromEntries(c.req.raw.headers.entries());
    let call: { method: string; params: unknown[] };
    try {
      call = parseMethodCall(body);
    } catch (error) {
      state.calls.push({ method: '<unparseable>', params: [], headers, body });
      return xml(faultResponse(1, `<class 'xml.parsers.expat.ExpatError'>: ${(error as Error).message}`));
    }
    state.calls.push({ ...call, headers, body });

    const fault = state.takeHubFault(call.method);
    if (fault?.delayMs) await server.wait(fault.delayMs);
    if (fault?.fault) return xml(faultResponse(fault.fault.faultCode, fault.fault.faultString));
    if (fault?.status !== undefined) {
      return c.html(`<html><body><h1>${fault.status}</h1>injected</body></html>`, fault.status as 500);
    }
    if (fault?.body !== undefined) return xml(fault.body);

    return xml(dispatch(state, call.method, call.params));
  });

  app.get('/kojifiles/*', async (c) => {
    const path = decodeURIComponent(new URL(c.req.url).pathname.slice('/kojifiles/'.length));
    state.downloads.push({ path, headers: Object.fromEntries(c.req.raw.headers.entries()) });
    const fault = state.takeFileFault(path);
    if (fault?.delayMs) await server.wait(fault.delayMs);
    if (fault?.status !== undefined) return c.text(`injected ${fault.status}`, fault.status as 500);
    const file = state.files.get(path);
    if (!file) return c.html('<html><body><h1>Not Found</h1></body></html>', 404);
    if (fault?.stallAfterBytes !== undefined)
      return stalledAnswer(file.data, fault.stallAfterBytes, server.wait);
    if (file.endless) return new Response(endlessStream(file.data), { headers: binary });
    if (file.chunked) return new Response(chunkedStream(file.data), { headers: binary });
    return new Response(file.data.slice(), {
      headers: { ...binary, 'content-length': String(file.data.byteLength) },
    });
  });

  const port = await server.listen(app.fetch);
  return {
    hubUrl: `http://127.0.0.1:${port}/kojihub`,
    rootUrl: `http://127.0.0.1:${port}/kojifiles/`,
    state,
    close: () => server.close(),
  };
}

const binary = { 'content-type': 'application/zip' };

function xml(body: string): Response {
  return new Response(body, { headers: { 'content-type': 'text/xml' } });
}

// ------------------------------------------------------------- the hub's API

function dispatch(state: KojiEmulatorState, method: string, params: unknown[]): string {
  switch (method) {
    case 'getAPIVersion':
      return methodResponse(1);
    case 'getBuild': {
      const build = findBuild(state, params[0]);
      return methodResponse(build ? buildInfo(build) : null);
    }
    case 'getBuildLogs': {
      const build = findBuild(state, params[0]);
      if (!build) return faultResponse(1000, `No such build: ${String(params[0])}`);
      return methodResponse(state.logs.get(build.id) ?? []);
    }
    default:
      return faultResponse(1000, `Invalid method: ${method}`);
  }
}

/** Koji accepts a build id or an NVR. */
function findBuild(state: KojiEmulatorState, key: unknown): EmulatedBuild | undefined {
  if (typeof key === 'string') return state.builds.get(key);
  return [...state.builds.values()].find((build) => build.id === key);
}

/** getBuild's answer, shaped like the real hub's (a few fields trimmed). */
function buildInfo(build: EmulatedBuild): Record<string, unknown> {
  return {
    id: build.id,
    build_id: build.id,
    package_id: build.id + 5000,
    package_name: build.name,
    name: build.name,
    version: build.version,
    release: build.release,
    nvr: build.nvr,
    epoch: null,
    state: 1,
    owner_name: 'osbs',
    creation_time: '2024-03-01 10:00:00.123456+00:00',
    creation_ts: 1709287200.123456,
    volume_name: 'DEFAULT',
    source: null,
    extra: build.extra,
  };
}

// ------------------------------------------------------ XML-RPC, own codec

const callParser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: false, // decoded by unescapeXml(), once
  isArray: (name) => name === 'param' || name === 'member' || name === 'value',
});

function parseMethodCall(body: string): { method: string; params: unknown[] } {
  const verdict = XMLValidator.validate(body);
  if (verdict !== true) throw new Error(verdict.err.msg);
  const doc = callParser.parse(body) as {
    methodCall?: { methodName?: unknown; params?: { param?: unknown[] } };
  };
  const call = doc.methodCall;
  if (!call || typeof call.methodName !== 'string') throw new Error('not a methodCall');
  const params = (call.params?.param ?? []).map((param) => {
    const values = (param as { value?: unknown[] }).value ?? [];
    if (values.length !== 1) throw new Error('a param must hold one value');
    return callValue(values[0]);
  });
  return { method: call.methodName.trim(), params };
}

/** The parameter types OMPS sends: strings, ints and nil. */
function callValue(value: unknown): unknown {
  if (typeof value === 'string') return unescapeXml(value); // bare <value>text</value>
  if (value === undefined) return '';
  const typed = value as Record<string, unknown>;
  if ('string' in typed) return typeof typed.string === 'string' ? unescapeXml(typed.string) : '';
  for (const type of ['int', 'i4', 'i8']) {
    if (type in typed) return Number(String(typed[type]).trim());
  }
  if ('nil' in typed) return null;
  throw new Error(`unsupported parameter type ${Object.keys(typed).join(',')}`);
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, entity: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
    if (named[entity]) return named[entity];
    return String.fromCodePoint(
      entity.startsWith('#x') ? Number.parseInt(entity.slice(2), 16) : Number(entity.slice(1)),
    );
  });
}

/** Like Python's `xmlrpc.client.dumps((value,), methodresponse=True, allow_none=True)`. */
function methodResponse(value: unknown): string {
  return `<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n${encode(value)}</param>\n</params>\n</methodResponse>\n`;
}

function faultResponse(faultCode: number, faultString: string): string {
  return `<?xml version='1.0'?>\n<methodResponse>\n<fault>\n${encode({ faultCode, faultString })}</fault>\n</methodResponse>\n`;
}

function encode(value: unknown): string {
  if (value === null || value === undefined) return '<value><nil/></value>';
  if (typeof value === 'boolean') return `<value><boolean>${value ? 1 : 0}</boolean></value>\n`;
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? `<value><int>${value}</int></value>\n`
      : `<value><double>${value}</double></value>\n`;
  }
  if (typeof value === 'string') return `<value><string>${escapeXml(value)}</string></value>\n`;
  if (Array.isArray(value))
    return `<value><array><data>\n${value.map(encode).join('')}</data></array></value>\n`;
  const members = Object.entries(value as Record<string, unknown>)
    .map(([name, member]) => `<member>\n<name>${escapeXml(name)}</name>\n${encode(member)}</member>\n`)
    .join('');
  return `<value><struct>\n${members}</struct></value>\n`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// --------------------------------------------------------------- file bodies

const CHUNK = 16 * 1024;

function chunkedStream(data: Uint8Array): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= data.byteLength) return controller.close();
      controller.enqueue(data.slice(offset, offset + CHUNK));
      offset += CHUNK;
    },
  });
}

function endlessStream(data: Uint8Array): ReadableStream<Uint8Array> {
  const block = new Uint8Array(CHUNK);
  for (let i = 0; i < CHUNK; i++) block[i] = data[i % Math.max(1, data.byteLength)] ?? 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(block.slice());
    },
  });
}

function stalledAnswer(data: Uint8Array, bytes: number, wait: (ms: number) => Promise<void>): Response {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      if (bytes > 0) controller.enqueue(data.slice(0, bytes));
    },
    async pull(controller) {
      await wait(60_000);
      controller.close();
    },
  });
  return new Response(stream, { headers: { ...binary, 'content-length': String(data.byteLength) } });
}

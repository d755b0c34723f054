/**
 * The Containerfile and deploy/kubernetes/ checked against the app they deploy (no container
 * engine here: what can be read is checked): the start command is package.json's `start` and the
 * README's, the port is the PORT the app reads, probe paths are routes of the OpenAPI document that
 * never ask an upstream, the ConfigMap and the Secret's example are valid configuration, every
 * COPY source exists and the build stage writes what the runtime stage copies.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { openApiDocument } from '../../src/adapters/http/openapi.js';
import { routePaths } from '../../src/adapters/http/routes.js';
import { parseConfigText, parseConfigTexts } from '../../src/infrastructure/config.js';
import { listenAddress } from '../../src/infrastructure/node-server.js';
import { ROOT } from '../support/dist.js';

const read = (...path: string[]) => readFileSync(join(ROOT, ...path), 'utf8');
const pkg = JSON.parse(read('package.json')) as { version: string; scripts: { start: string } };

/**
 * `[NAME=value ...] [exec] argv...` as a shell reads a simple command line
 * (`exec` only replaces the shell with the command: what runs is the same).
 */
function commandLine(line: string): { env: Record<string, string>; argv: string[] } {
  const words = line.trim().split(/\s+/);
  const env: Record<string, string> = {};
  while (/^[A-Z_]+=/.test(words[0] ?? '')) {
    const [name, ...value] = words.shift()!.split('=');
    env[name!] = value.join('=');
  }
  if (words[0] === 'exec') words.shift();
  return { env, argv: words };
}

const start = commandLine(pkg.scripts.start);

// ------------------------------------------------------------------ Containerfile

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  name?: string;
  instructions: Instruction[];
}

function stagesOf(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op = '', args = ''] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (op.toUpperCase() === 'FROM') {
      const name = /\sAS\s+(\S+)$/i.exec(args)?.[1];
      stages.push({ ...(name ? { name } : {}), instructions: [] });
    }
    stages.at(-1)?.instructions.push({ op: op.toUpperCase(), args });
  }
  return stages;
}

const stages = stagesOf(read('Containerfile'));
const runtime = stages.at(-1)!;
const build = stages.find((s) => s.name === 'build')!;
const all = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op).map((i) => i.args);
const one = (stage: Stage, op: string) => {
  const found = all(stage, op);
  expect(found, `${op} in ${stage.name ?? 'the runtime stage'}`).toHaveLength(1);
  return found[0]!;
};
/** ENV NAME=value NAME=value ... */
function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const args of all(stage, 'ENV')) {
    for (const pair of args.split(/\s+/)) {
      const [name, ...value] = pair.split('=');
      env[name!] = value.join('=');
    }
  }
  return env;
}
/** COPY [--from=stage] src... dest */
function copies(stage: Stage): { from?: string; sources: string[]; dest: string }[] {
  return all(stage, 'COPY').map((args) => {
    const words = args.split(/\s+/);
    const from = words[0]?.startsWith('--from=') ? words.shift()!.slice('--from='.length) : undefined;
    const dest = words.pop()!;
    return { ...(from ? { from } : {}), sources: words, dest };
  });
}

/** The top-level folders that the TypeScript files under `folders` import from, and so on (relative imports). */
function importedFolders(folders: readonly string[]): Set<string> {
  const found = new Set<string>(folders);
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        for (const [, spec] of read(path).matchAll(/from '(\.\.?\/[^']+)'/g)) {
          const top = relative(ROOT, resolve(ROOT, dir, spec!)).split(sep)[0]!;
          if (top !== '..') found.add(top);
        }
      }
    }
  };
  const walked = new Set<string>();
  for (let next = [...found]; next.length > 0; next = [...found].filter((f) => !walked.has(f))) {
    for (const folder of next) {
      walked.add(folder);
      if (existsSync(join(ROOT, folder)) && statSync(join(ROOT, folder)).isDirectory()) walk(folder);
    }
  }
  return found;
}

describe('Containerfile', () => {
  const cmd = JSON.parse(one(runtime, 'CMD')) as string[];

  it("runs node as PID 1 with npm start's flags and entry, and sets npm start's environment", () => {
    expect(start.argv[0]).toBe('node');
    expect(cmd).toEqual(start.argv);
    expect(Object.keys(start.env)).toContain('MALLOC_ARENA_MAX');
    expect(envOf(runtime)).toMatchObject(start.env);
  });

  it("is the README's production command", () => {
    const line = read('README.md')
      .split('\n')
      .find((l) => /^[A-Z_]+=\S+ .*\bnode\b.*dist\/src\/infrastructure\/main\.js$/.test(l));
    expect(line, 'the production start line in README Quick start').toBeDefined();
    const readme = commandLine(line!);
    expect(readme.argv).toEqual(cmd);
    expect(readme.env).toMatchObject(start.env);
    expect(readme.env.OMPS_CONF_FILE).toBeDefined();
  });

  it('builds in its own stage and installs only production dependencies, without the prepare script, to run', () => {
    expect(stages).toHaveLength(2);
    expect(all(build, 'RUN')).toContain('npm run build');
    const installs = all(runtime, 'RUN').filter((r) => r.includes('npm ci'));
    expect(installs).toHaveLength(1);
    expect(installs[0]).toMatch(/npm ci --omit=dev --ignore-scripts\b/);
    expect(all(runtime, 'RUN').join(' ')).not.toMatch(/npm run|tsc/);
    // npm ci runs `prepare` (the build) unless told not to: the build stage installs before its sources arrive.
    expect(all(build, 'RUN').find((r) => r.startsWith('npm ci'))).toMatch(/--ignore-scripts/);
  });

  it('copies only what exists here, and every folder the build compiles', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'));
    const local = [...copies(build), ...copies(runtime)].filter((c) => !c.from).flatMap((c) => c.sources);
    for (const source of local) {
      expect(existsSync(join(ROOT, source)), source).toBe(true);
      expect(ignored, source).not.toContain(source);
    }
    const compiled = (JSON.parse(read('tsconfig.build.json')) as { include: string[] }).include;
    for (const folder of [...compiled, ...importedFolders(compiled)]) expect(local).toContain(folder);
    expect(local).toEqual(
      expect.arrayContaining(['package.json', 'package-lock.json', 'tsconfig.build.json']),
    );
  });

  it("copies from the build stage what tsc writes there, and CMD's entry is in it", () => {
    const tsconfig = JSON.parse(read('tsconfig.json')) as {
      compilerOptions: { outDir: string; rootDir: string };
    };
    expect(tsconfig.compilerOptions).toMatchObject({ outDir: 'dist', rootDir: '.' });
    const workdir = one(build, 'WORKDIR');
    const [fromBuild, ...more] = copies(runtime).filter((c) => c.from === 'build');
    expect(more).toEqual([]);
    expect(fromBuild!.sources).toEqual([`${workdir}/dist/src`]);
    expect(fromBuild!.dest).toBe('./dist/src');
    const entry = cmd.at(-1)!;
    expect(entry.startsWith('dist/src/')).toBe(true);
    expect(existsSync(join(ROOT, entry.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
  });

  it('runs as an unprivileged user and exposes the port the app listens on', () => {
    expect(one(runtime, 'USER')).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    expect(Number(one(runtime, 'EXPOSE'))).toBe(listenAddress(envOf(runtime)).port);
    expect(one(runtime, 'HEALTHCHECK')).toContain(routePaths('v2').live);
  });
});

// ------------------------------------------------------------------ Kubernetes

// biome-ignore lint/suspicious/noExplicitAny: parsed manifests, read field by field (a wrong path fails the test)
type Obj = Record<string, any>;
const K8S = join('deploy', 'kubernetes');
const manifests: Record<string, Obj> = Object.fromEntries(
  readdirSync(join(ROOT, K8S))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => [f, parseYaml(read(K8S, f)) as Obj]),
);
const ofKind = (kind: string) => {
  const found = Object.values(manifests).filter((m) => m.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};
const deployment = ofKind('Deployment');
const pod = deployment.spec.template;
const container = pod.spec.containers[0] as Obj;
const containerEnv: Record<string, string> = Object.fromEntries(
  (container.env as Obj[]).map((e) => [e.name, e.value]),
);
const subset = (labels: Obj, of: Obj) => Object.entries(labels).every(([k, v]) => of[k] === v);

/** The file a volume of `kind` (configMap / secret) named `name` puts `key` at in the container. */
function mountedPath(kind: 'configMap' | 'secret', name: string, key: string): string | undefined {
  const volume = (pod.spec.volumes as Obj[]).find(
    (v) => (kind === 'configMap' ? v.configMap?.name : v.secret?.secretName) === name,
  );
  const mount = (container.volumeMounts as Obj[]).find((m) => m.name === volume?.name);
  return mount ? `${mount.mountPath}/${key}` : undefined;
}

describe('deploy/kubernetes', () => {
  it('applies every manifest but the Secret example', () => {
    const kustomization = manifests['kustomization.yaml']!;
    const expected = Object.keys(manifests).filter(
      (f) => !['kustomization.yaml', 'secret.example.yaml'].includes(f),
    );
    expect([...kustomization.resources].sort()).toEqual(expected.sort());
  });

  it("runs the Containerfile's command, npm start's environment, and the image of this version", () => {
    expect(container.command).toEqual(start.argv);
    expect(containerEnv).toMatchObject(start.env);
    expect(container.image).toMatch(new RegExp(`:${pkg.version.replace(/\./g, '\\.')}$`));
  });

  it('opens the port the app listens on, and the Service sends traffic to it', () => {
    const port = listenAddress(containerEnv).port;
    expect(container.ports).toEqual([{ name: 'http', containerPort: port }]);
    expect(Number(one(runtime, 'EXPOSE'))).toBe(port);
    const service = ofKind('Service');
    expect(service.spec.ports.map((p: Obj) => p.targetPort)).toEqual(['http']);
    expect(subset(service.spec.selector, pod.metadata.labels)).toBe(true);
    expect(subset(deployment.spec.selector.matchLabels, pod.metadata.labels)).toBe(true);
  });

  it('probes a route of the OpenAPI document that never asks an upstream', () => {
    const paths = openApiDocument(pkg.version).paths;
    for (const probe of [container.livenessProbe, container.readinessProbe] as Obj[]) {
      expect(probe.httpGet.port).toBe('http');
      expect(paths[probe.httpGet.path]?.get, probe.httpGet.path).toBeDefined();
      expect(probe.httpGet.path).toBe(routePaths('v2').live);
    }
  });

  it('mounts the ConfigMap as OMPS_CONF_FILE; its configuration is valid, every key a real one', () => {
    const configMap = ofKind('ConfigMap');
    const [key, ...others] = Object.keys(configMap.data);
    expect(others).toEqual([]);
    expect(mountedPath('configMap', configMap.metadata.name, key!)).toBe(containerEnv.OMPS_CONF_FILE);
    const config = parseConfigText(configMap.data[key!], key);
    expect(config.organizations.size).toBeGreaterThan(0);
    expect(configMap.data[key!]).not.toMatch(/oauth_token/);
  });

  it("mounts the Secret as OMPS_SECRETS_FILE; the example's tokens lay over the ConfigMap's organizations", () => {
    const secret = ofKind('Secret');
    const [key] = Object.keys(secret.stringData);
    expect(mountedPath('secret', secret.metadata.name, key!)).toBe(containerEnv.OMPS_SECRETS_FILE);
    const configMap = ofKind('ConfigMap');
    const [confKey] = Object.keys(configMap.data);
    const config = parseConfigTexts([
      { text: configMap.data[confKey!], source: confKey! },
      { text: secret.stringData[key!], source: key! },
    ]);
    const orgs = [...config.organizations.values()];
    expect(orgs.every((o) => o.oauthToken)).toBe(true);
  });

  it('keeps the root filesystem read-only and the user unprivileged, as the image does', () => {
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
    expect(pod.spec.securityContext.runAsNonRoot).toBe(true);
    expect(`${pod.spec.securityContext.runAsUser}:${pod.spec.securityContext.runAsGroup}`).toBe(
      one(runtime, 'USER'),
    );
  });

  it('gives as many bundle threads as cores in the limit, and memory above the measured peak', () => {
    expect(Number(containerEnv.BUNDLE_THREADS)).toBe(Number(container.resources.limits.cpu));
    const mib = (q: string) => Number(q.replace(/Mi$/, ''));
    // README Performance: 249–276 MB at the peak of 8 concurrent 1.6 MB pushes (276 MB = 263 MiB).
    expect(mib(container.resources.requests.memory)).toBeGreaterThan(263);
    expect(mib(container.resources.limits.memory)).toBeGreaterThan(mib(container.resources.requests.memory));
  });

  it('keeps a replica through disruptions and scales the Deployment on CPU', () => {
    const pdb = ofKind('PodDisruptionBudget');
    expect(subset(pdb.spec.selector.matchLabels, pod.metadata.labels)).toBe(true);
    expect(pdb.spec.minAvailable).toBeLessThan(deployment.spec.replicas);
    const hpa = ofKind('HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment.metadata.name,
    });
    expect(hpa.spec.minReplicas).toBeGreaterThan(pdb.spec.minAvailable);
    expect(container.resources.requests.cpu).toBeDefined();
  });
});

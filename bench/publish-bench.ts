/**
 * `npm run bench`: CPU time per push through the whole app (HTTP edge,
 * archive, bundle engine, in-memory registry) for four bundle shapes.
 * Not a test: numbers to compare across changes on the same machine.
 */
import { strToU8, zipSync } from 'fflate';
import { InMemoryBuildSystem } from '../src/adapters/memory/in-memory-build-system.js';
import { InMemoryRegistry } from '../src/adapters/memory/in-memory-registry.js';
import { type PushRequest, silentLogger } from '../src/application/ports.js';
import { parseConfig } from '../src/infrastructure/config.js';
import { createService } from '../src/infrastructure/container.js';
import { SAMPLE_OPERATOR_FILES } from '../src/infrastructure/demo/sample-operator.js';

const CSV = SAMPLE_OPERATOR_FILES['hello-operator.v1.0.0.clusterserviceversion.yaml']!;
const PACKAGE = SAMPLE_OPERATOR_FILES['hello.package.yaml']!;
const CRD = SAMPLE_OPERATOR_FILES['greetings.crd.yaml']!;

function zip(files: Record<string, string>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)])), { level: 6 });
}

function csvFor(version: string, extra = ''): string {
  return CSV.replaceAll('hello-operator.v1.0.0', `hello-operator.v${version}`).replace(
    '  version: 1.0.0\n',
    `  version: ${version}\n${extra}`,
  );
}

function iconCsv(): string {
  const base64 = 'A'.repeat(1.5 * 1024 * 1024);
  return CSV.replace(/base64data: \S+/, `base64data: ${base64}`);
}

/** About 6 MB of small mappings (permission rules), the shape that is slow to parse. */
function bigCsv(): string {
  const rules: string[] = [];
  for (let i = 0; rules.length * 100 < 6 * 1024 * 1024; i++) {
    rules.push(
      `            - apiGroups: [group${i}.example.com]\n              resources: [things${i}]\n              verbs: [get, list]\n`,
    );
  }
  return CSV.replace("              verbs: ['*']\n", `              verbs: ['*']\n${rules.join('')}`);
}

function nested(): Record<string, string> {
  const files: Record<string, string> = {
    'hello.package.yaml': PACKAGE.replace('hello-operator.v1.0.0', 'hello-operator.v1.2.0'),
  };
  for (const v of ['1.0.0', '1.1.0', '1.2.0']) {
    files[`${v}/hello-operator.v${v}.clusterserviceversion.yaml`] = csvFor(v);
    files[`${v}/greetings.crd.yaml`] = CRD;
  }
  return files;
}

const cases: [string, Uint8Array][] = [
  ['small flat bundle', zip(SAMPLE_OPERATOR_FILES)],
  ['3-version nested bundle', zip(nested())],
  [
    '1.5 MB icon CSV',
    zip({ ...SAMPLE_OPERATOR_FILES, 'hello-operator.v1.0.0.clusterserviceversion.yaml': iconCsv() }),
  ],
  [
    '6 MB CSV of small mappings',
    zip({ ...SAMPLE_OPERATOR_FILES, 'hello-operator.v1.0.0.clusterserviceversion.yaml': bigCsv() }),
  ],
];

/** Accepts pushes without keeping the bundles: the bench measures OMPS, not an in-memory store. */
class DiscardingRegistry extends InMemoryRegistry {
  override async push(request: PushRequest): Promise<void> {
    await super.push({ ...request, bundle: [] });
  }
}

async function main() {
  const config = parseConfig({ max_content_length: 64 * 1024 * 1024 });
  const app = createService(config, {
    registry: new DiscardingRegistry(),
    buildSystem: new InMemoryBuildSystem(),
    policyGate: null,
    logger: silentLogger,
  });
  console.log('case                            zip KB   CPU ms/push (median of runs)   heap MB after');
  const only = process.env.BENCH_CASE;
  for (const [name, bytes] of cases) {
    if (only && !name.includes(only)) continue;
    const runs = bytes.byteLength > 100_000 ? 5 : 20;
    const cpu: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
      const form = new FormData();
      form.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>]), 'bundle.zip');
      const before = process.cpuUsage();
      const res = await app.request(`/v2/bench${i}/zipfile`, {
        method: 'POST',
        body: form,
        headers: { Authorization: 'bench' },
      });
      const used = process.cpuUsage(before);
      if (res.status !== 200) throw new Error(`${name}: ${res.status} ${await res.text()}`);
      if (i > 0) cpu.push((used.user + used.system) / 1000); // the first run warms the JIT
    }
    cpu.sort((a, b) => a - b);
    const median = cpu[Math.floor(cpu.length / 2)]!;
    const heap = process.memoryUsage().heapUsed / 1024 / 1024;
    console.log(
      `${name.padEnd(30)} ${(bytes.byteLength / 1024).toFixed(0).padStart(7)}   ${median.toFixed(1).padStart(10)}                      ${heap.toFixed(0).padStart(6)}`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

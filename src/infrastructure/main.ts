/** The production entry point: real upstreams, configuration from OMPS_CONF_FILE, PORT and HOST. */
import { setFlagsFromString } from 'node:v8';
import { type BundleThreads, bundleThreads } from './bundle-threads.js';
import { clusterWorkerCount, runClustered } from './cluster.js';
import type { AppConfig } from './config.js';
import { loadConfigFromEnv } from './config-files.js';
import { createLogger } from './logger.js';
import { listenAddress, serveOnNode } from './node-server.js';
import { runtimeProblem } from './runtime.js';

/**
 * `npm start` gives the event loop's heap small semi-spaces (--max-semi-space-size):
 * it only moves requests and buffers, and a young generation grown to V8's 16 MB
 * semi-spaces holds dead upload and response buffers until it fills. V8 reads the
 * flag when a heap is created and lets it override a bundle thread's resourceLimits, so it
 * is cleared once this heap has it: bundle threads then get their own limits.
 */
function leaveYoungGenerationToBundleThreads(): void {
  setFlagsFromString('--max-semi-space-size=0');
}

async function main(): Promise<void> {
  const problem = runtimeProblem();
  if (problem) {
    console.error(`omps: ${problem}`);
    process.exit(2);
  }
  leaveYoungGenerationToBundleThreads();
  let config: AppConfig;
  let address: { port: number; host: string };
  let clusterWorkers: number;
  let threads: BundleThreads;
  try {
    config = loadConfigFromEnv(process.env);
    address = listenAddress(process.env);
    clusterWorkers = clusterWorkerCount(process.env);
    threads = bundleThreads(process.env, clusterWorkers);
  } catch (e) {
    console.error(`omps: ${(e as Error).message}`);
    process.exit(2);
  }
  await runClustered(clusterWorkers, createLogger(config.logLevel), async () => {
    await serveOnNode(config, address, {}, threads);
  });
}

main().catch((e) => {
  console.error(`omps: ${(e as Error).message}`);
  process.exit(1);
});

/** The production entry point: real upstreams, configuration from OMPS_CONF_FILE, PORT and HOST. */
import { readFileSync } from 'node:fs';
import { type BundleThreads, bundleThreads } from './bundle-threads.js';
import { runClustered, workerCount } from './cluster.js';
import { type AppConfig, ConfigError, parseConfig, parseConfigText } from './config.js';
import { createLogger } from './logger.js';
import { listenAddress, serveOnNode } from './node-server.js';

export function loadConfigFromEnv(env: NodeJS.ProcessEnv): AppConfig {
  const file = env.OMPS_CONF_FILE;
  if (!file) return parseConfig({});
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`Cannot read OMPS_CONF_FILE ${file}: ${(e as Error).message}`);
  }
  return parseConfigText(text, file);
}

async function main(): Promise<void> {
  let config: AppConfig;
  let address: { port: number; host: string };
  let workers: number;
  let threads: BundleThreads;
  try {
    config = loadConfigFromEnv(process.env);
    address = listenAddress(process.env);
    workers = workerCount(process.env);
    threads = bundleThreads(process.env, workers);
  } catch (e) {
    console.error(`omps: ${(e as Error).message}`);
    process.exit(2);
  }
  await runClustered(workers, createLogger(config.logLevel), async () => {
    await serveOnNode(config, address, {}, threads);
  });
}

main().catch((e) => {
  console.error(`omps: ${(e as Error).message}`);
  process.exit(1);
});

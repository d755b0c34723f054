/** The production entry point: real upstreams, configuration from OMPS_CONF_FILE, PORT and HOST. */
import { readFileSync } from 'node:fs';
import { type AppConfig, ConfigError, parseConfig, parseConfigText } from './config.js';
import { createService } from './container.js';
import { createLogger } from './logger.js';
import { listen, listenAddress } from './node-server.js';

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
  try {
    config = loadConfigFromEnv(process.env);
    address = listenAddress(process.env);
  } catch (e) {
    console.error(`omps: ${(e as Error).message}`);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  await listen(createService(config, { logger }), { ...address, logger });
}

main().catch((e) => {
  console.error(`omps: ${(e as Error).message}`);
  process.exit(1);
});

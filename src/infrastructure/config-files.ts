/** The Node entry's configuration files (SPEC §9): OMPS_CONF_FILE and OMPS_SECRETS_FILE. */
import { readFileSync } from 'node:fs';
import { type AppConfig, ConfigError, parseConfigTexts } from './config.js';

/**
 * OMPS_CONF_FILE, then OMPS_SECRETS_FILE laid over it (both optional): the second file keeps
 * tokens out of the first, e.g. a Kubernetes Secret beside a ConfigMap (deploy/kubernetes/).
 */
export function loadConfigFromEnv(env: NodeJS.ProcessEnv): AppConfig {
  const texts: { text: string; source: string }[] = [];
  for (const name of ['OMPS_CONF_FILE', 'OMPS_SECRETS_FILE'] as const) {
    const file = env[name];
    if (!file) continue;
    try {
      texts.push({ text: readFileSync(file, 'utf8'), source: file });
    } catch (e) {
      throw new ConfigError(`Cannot read ${name} ${file}: ${(e as Error).message}`);
    }
  }
  return parseConfigTexts(texts);
}

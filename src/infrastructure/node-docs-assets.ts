/** The Node entry's copy of the API viewer (swagger-ui-dist), read from node_modules once at start-up. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type DocsAssets, docsAssetsFrom } from '../adapters/http/docs-assets.js';
import type { Logger } from '../application/ports.js';

/** The viewer's files, or undefined (logged) when the package is missing: /docs then links the JSON. */
export function readDocsAssets(logger: Logger): DocsAssets | undefined {
  try {
    const dir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist'));
    return docsAssetsFrom(
      readFileSync(join(dir, 'swagger-ui-bundle.js'), 'utf8'),
      readFileSync(join(dir, 'swagger-ui.css'), 'utf8'),
    );
  } catch (e) {
    logger.warn('API viewer not found; /docs links the OpenAPI document only', {
      error: (e as Error).message,
    });
    return undefined;
  }
}

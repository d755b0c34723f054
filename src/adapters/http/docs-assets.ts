/**
 * The API viewer's files (Swagger UI, from the swagger-ui-dist package), served
 * by the app itself so that /docs renders with no internet. The app never
 * reads them from disk: each entry point hands their text over once (the Node
 * entry reads node_modules at start-up, the edge bundle embeds them).
 */
import { apiDocsPaths } from './routes.js';

export interface DocsAssets {
  /** swagger-ui-bundle.js */
  readonly script: string;
  /** swagger-ui.css */
  readonly styles: string;
}

/** The package's files as published, minus the source-map links (the maps are not served). */
export function docsAssetsFrom(script: string, styles: string): DocsAssets {
  const noMap = (text: string) => text.replace(/\n?\/[/*]# sourceMappingURL=[^\n]*\s*$/, '\n');
  return { script: noMap(script), styles: noMap(styles) };
}

export interface ServedAsset {
  readonly path: string;
  readonly contentType: string;
  readonly body: string;
  readonly etag: string;
}

/** The files /docs loads, with a content ETag each (computed once, on first use). */
export function servedAssets(assets: DocsAssets): () => readonly ServedAsset[] {
  let served: ServedAsset[] | undefined;
  return () => {
    served ??= [
      asset(apiDocsPaths.viewer.script, 'text/javascript; charset=utf-8', assets.script),
      asset(apiDocsPaths.viewer.styles, 'text/css; charset=utf-8', assets.styles),
    ];
    return served;
  };
}

function asset(path: string, contentType: string, body: string): ServedAsset {
  return { path, contentType, body, etag: `"${fnv1a(body)}-${body.length.toString(36)}"` };
}

/** 32-bit FNV-1a over UTF-16 code units: enough to tell two versions of a file apart. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

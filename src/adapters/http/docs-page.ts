/**
 * The `/docs` page: Swagger UI pointed at the service's own OpenAPI document.
 * The viewer's script and styles come from the service itself (docs-assets.ts),
 * never from a CDN. Without them (an app built with no `docsAssets`), the page
 * links the JSON document instead.
 */
import { apiDocsPaths } from './routes.js';

export function docsPage(specUrl: string, withViewer: boolean): string {
  const link = `<a href="${escapeHtml(specUrl)}">${escapeHtml(specUrl)}</a>`;
  const viewer = withViewer
    ? `<noscript>This page needs JavaScript. The API description itself is at ${link}.</noscript>
    <div id="app"></div>
    <script src="${apiDocsPaths.viewer.script}"></script>
    <script>
      SwaggerUIBundle({ url: ${scriptString(specUrl)}, dom_id: '#app', validatorUrl: null, deepLinking: true });
    </script>`
    : `<p>The API viewer is not part of this build. The API description is at ${link}.</p>`;
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>OMPS API reference</title>
    ${withViewer ? `<link rel="stylesheet" href="${apiDocsPaths.viewer.styles}" />` : ''}
  </head>
  <body>
    ${viewer}
  </body>
</html>
`;
}

function scriptString(text: string): string {
  return JSON.stringify(text).replace(/</g, '\\u003c');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * The `/docs` page: Scalar's API reference viewer, loaded by the browser from
 * its CDN and pointed at the service's own OpenAPI document. The server only
 * serves this string.
 */

/** The viewer's standalone script (major version pinned; jsDelivr serves its latest 1.x). */
export const VIEWER_SCRIPT = 'https://cdn.jsdelivr.net/npm/@scalar/api-reference@1';

export function docsPage(specUrl: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>OMPS API reference</title>
  </head>
  <body>
    <noscript>This page needs JavaScript. The API description itself is at <a href="${escapeHtml(specUrl)}">${escapeHtml(specUrl)}</a>.</noscript>
    <div id="app"></div>
    <script src="${VIEWER_SCRIPT}"></script>
    <script>
      Scalar.createApiReference('#app', { url: ${JSON.stringify(specUrl).replace(/</g, '\\u003c')} });
    </script>
  </body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

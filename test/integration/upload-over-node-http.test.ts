/**
 * Uploads over a real HTTP/1.1 connection to @hono/node-server: a body with
 * Content-Length (read whole when small, filled in place when large) and a
 * chunked one (counted as it comes) publish the same release, and both are
 * held to max_content_length with 413.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/application/ports.js';
import { SAMPLE_OPERATOR_FILES } from '../../src/infrastructure/demo/sample-operator.js';
import { listen } from '../../src/infrastructure/node-server.js';
import { multipart, zipOf } from '../support/bundles.js';
import { AUTH, makeHttpApp } from '../support/http-app.js';

const CSV = 'hello-operator.v1.0.0.clusterserviceversion.yaml';
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serveApp(overrides: Record<string, unknown> = {}) {
  const h = makeHttpApp({ greenwave: null, ...overrides });
  const server = await listen(h.app, { port: 0, host: '127.0.0.1', logger: silentLogger });
  servers.push(server);
  return { ...h, port: server.port };
}

/** A bundle whose CSV carries `iconBytes` of base64 icon that hardly compresses. */
function bundle(iconBytes: number): Uint8Array {
  const icon = randomBytes(iconBytes).toString('base64');
  const csv = SAMPLE_OPERATOR_FILES[CSV]!.replace(/base64data: \S+/, `base64data: ${icon}`);
  return zipOf({ ...SAMPLE_OPERATOR_FILES, [CSV]: csv });
}

async function encode(zip: Uint8Array): Promise<{ bytes: Buffer; contentType: string }> {
  const res = new Response(multipart(zip));
  return { bytes: Buffer.from(await res.arrayBuffer()), contentType: res.headers.get('content-type')! };
}

/** POSTs with Content-Length, or chunked (no Content-Length, the body written in pieces). */
function post(
  port: number,
  path: string,
  body: { bytes: Buffer; contentType: string },
  chunked: boolean,
): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        agent: false,
        headers: {
          ...AUTH,
          Connection: 'close',
          'Content-Type': body.contentType,
          ...(chunked ? {} : { 'Content-Length': String(body.bytes.length) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
        );
      },
    );
    req.on('error', reject);
    if (!chunked) {
      req.end(body.bytes);
      return;
    }
    for (let at = 0; at < body.bytes.length; at += 10_000) req.write(body.bytes.subarray(at, at + 10_000));
    req.end();
  });
}

describe('uploads over HTTP/1.1 on Node', () => {
  for (const [name, iconBytes] of [
    ['small', 0],
    ['large', 500_000],
  ] as const) {
    it(`a ${name} bundle publishes the same with Content-Length and chunked`, async () => {
      const s = await serveApp();
      const body = await encode(bundle(iconBytes));
      const declared = await post(s.port, '/v2/first/zipfile/1.0.0', body, false);
      const chunked = await post(s.port, '/v2/second/zipfile/1.0.0', body, true);
      expect(declared.status).toBe(200);
      expect(chunked.status).toBe(200);
      expect({ ...chunked.json, organization: 'first' }).toEqual(declared.json);
      const first = s.registry.release('first', 'hello-operator', '1.0.0')!.bundle;
      const second = s.registry.release('second', 'hello-operator', '1.0.0')!.bundle;
      expect(second.map((f) => f.path)).toEqual(first.map((f) => f.path));
      for (const [i, f] of second.entries())
        expect(Buffer.from(f.data).equals(first[i]!.data), f.path).toBe(true);
      if (iconBytes > 0) expect(body.bytes.length).toBeGreaterThan(256 * 1024);
    });
  }

  it('refuses a body one byte past max_content_length with 413, with Content-Length and chunked', async () => {
    const body = await encode(bundle(0));
    const s = await serveApp({ max_content_length: body.bytes.length - 1 });
    for (const chunked of [false, true]) {
      const res = await post(s.port, '/v2/myorg/zipfile/1.0.0', body, chunked);
      expect(res.status, `chunked: ${chunked}`).toBe(413);
      expect(res.json).toMatchObject({ status: 413, error: 'RequestEntityTooLarge' });
    }
    expect(s.registry.release('myorg', 'hello-operator', '1.0.0')).toBeUndefined();
    // At the limit it passes.
    const atLimit = await serveApp({ max_content_length: body.bytes.length });
    expect((await post(atLimit.port, '/v2/myorg/zipfile/1.0.0', body, true)).status).toBe(200);
    expect((await post(atLimit.port, '/v2/other/zipfile/1.0.0', body, false)).status).toBe(200);
  });
});

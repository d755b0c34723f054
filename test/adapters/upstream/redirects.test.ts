/**
 * No upstream call follows a redirect, on either transport: fetch is asked
 * for `redirect: 'manual'` and the Node transport follows none, so a 3xx is a
 * failure whose reason names the status and the target's host — and the
 * caller's Authorization never reaches the host a redirect names.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GreenwavePolicyGate } from '../../../src/adapters/greenwave/greenwave-policy-gate.js';
import { KojiBuildSystem } from '../../../src/adapters/koji/koji-build-system.js';
import { QuayRegistry } from '../../../src/adapters/quay/quay-registry.js';
import { callUpstream, type FetchLike, RedirectRefused } from '../../../src/adapters/upstream/call.js';
import { GreenwaveError, KojiError, QuayPackageError } from '../../../src/domain/errors.js';
import { caught } from '../../support/failure.js';
import { transports } from '../../support/transports.js';

/** A loopback server recording the headers of every request and answering with `answer`. */
async function server(answer: (path: string) => { status: number; headers?: Record<string, string> }) {
  const seen: { path: string; headers: IncomingHttpHeaders }[] = [];
  const s: Server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    req.resume();
    const { status, headers } = answer(req.url ?? '');
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end('{}');
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((resolve) => s.close(() => resolve())) };
}

describe.each(transports)('redirects over %s', (_name, transport) => {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  async function redirecting(status: number) {
    const elsewhere = await server(() => ({ status: 200 }));
    const upstream = await server((path) => ({ status, headers: { Location: `${elsewhere.url}${path}` } }));
    open.push(elsewhere, upstream);
    return { upstream, elsewhere, host: new URL(elsewhere.url).host };
  }

  it.each([301, 302, 303, 307, 308])(
    'callUpstream refuses a %i, and the target hears nothing',
    async (status) => {
      const { upstream, elsewhere, host } = await redirecting(status);
      const error = await caught<RedirectRefused>(
        callUpstream(`${upstream.url}/x?k=1`, {
          method: 'get',
          headers: { Authorization: 'Bearer caller-token' },
          signal: new AbortController().signal,
          fetch: transport,
        }),
      );
      expect(error).toBeInstanceOf(RedirectRefused);
      expect(error.message).toBe(`answered a redirect (HTTP ${status} to ${host}), which is not followed`);
      expect(upstream.seen).toHaveLength(1);
      expect(elsewhere.seen).toEqual([]);
    },
  );

  it('Quay: a redirect of the release listing is a QuayPackageError naming it, the token stays home', async () => {
    const { upstream, elsewhere, host } = await redirecting(302);
    const quay = new QuayRegistry({
      baseUrl: upstream.url,
      fetch: transport,
      timeoutMs: 5_000,
      retryDelayMs: 1,
    });
    const error = await caught<QuayPackageError>(quay.releases('org', 'repo', 'caller-token'));
    expect(error).toBeInstanceOf(QuayPackageError);
    expect(error.message).toBe(
      `Cannot retrieve information about package org/repo: Quay answered a redirect (HTTP 302 to ${host}), which is not followed.`,
    );
    expect(upstream.seen[0]?.headers.authorization).toBe('caller-token');
    expect(elsewhere.seen).toEqual([]);
  });

  it('Koji: a redirected hub call is a KojiError naming it', async () => {
    const { upstream, elsewhere, host } = await redirecting(301);
    const koji = new KojiBuildSystem({
      hubUrl: `${upstream.url}/kojihub`,
      rootUrl: upstream.url,
      fetch: transport,
      timeoutMs: 5_000,
    });
    const error = await caught<KojiError>(koji.locateManifests('a-1-1'));
    expect(error).toBeInstanceOf(KojiError);
    expect(error.message).toBe(
      `Koji hub call getBuild failed: answered a redirect (HTTP 301 to ${host}), which is not followed.`,
    );
    expect(elsewhere.seen).toEqual([]);
  });

  it('Greenwave: a redirected decision is a GreenwaveError naming it', async () => {
    const { upstream, elsewhere, host } = await redirecting(307);
    const gate = new GreenwavePolicyGate({
      url: upstream.url,
      context: 'c',
      productVersion: 'p',
      fetch: transport,
      timeoutMs: 5_000,
    });
    const error = await caught<GreenwaveError>(gate.check('a-1-1'));
    expect(error).toBeInstanceOf(GreenwaveError);
    expect(error.message).toBe(
      `Greenwave decision request failed: answered a redirect (HTTP 307 to ${host}), which is not followed.`,
    );
    expect(elsewhere.seen).toEqual([]);
  });
});

it("an opaque redirect (a browser's answer to redirect: 'manual') is refused too", async () => {
  const opaque = Object.defineProperties(new Response(null), {
    type: { value: 'opaqueredirect' },
    status: { value: 0 },
  });
  const fetch: FetchLike = async (_url, init) => {
    expect(init.redirect).toBe('manual');
    return opaque;
  };
  const request = { method: 'get' as const, headers: {}, signal: new AbortController().signal, fetch };
  expect((await caught<Error>(callUpstream('https://x.example/', request))).message).toBe(
    'answered a redirect (opaque), which is not followed',
  );
  expect(
    await caught(callUpstream('https://x.example/', { ...request, redirects: 'answer' })),
  ).toBeInstanceOf(RedirectRefused);
});

/**
 * Credentials go to the registry's own origin only (what containerd does: the
 * authorizer is dropped on a change of host or scheme). A registry emulator
 * names a second one, on another port of 127.0.0.1 (another origin), in its
 * upload Location, its tag list's Link, its blob redirects and 401s: what
 * reached each host is asserted, over both transports.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OciImageRegistry } from '../../../src/adapters/oci/oci-image-registry.js';
import type { FetchLike } from '../../../src/adapters/upstream/call.js';
import { RegistryAuthorizationError, RegistryError } from '../../../src/domain/errors.js';
import { anImage } from '../../contracts/image-registry-contract.js';
import {
  type OciAuth,
  type OciEmulatorOptions,
  type OciRegistryEmulator,
  OciRegistryState,
  startOciRegistryEmulator,
} from '../../emulators/oci-registry-emulator.js';
import { caught } from '../../support/failure.js';
import { transports } from '../../support/transports.js';

const ALICE: OciAuth = { kind: 'bearer', user: 'alice', password: 's3cret' };
const BASIC = `Basic ${btoa('alice:s3cret')}`;
const REPO = 'acme/widget-bundle';

describe.each(transports)('OCI credentials over %s', (_transport, transport) => {
  const started: OciRegistryEmulator[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((e) => e.close()));
  });

  /** The foreign host first (on the shared state), then the registry that names it. */
  async function pair(
    registryOptions: (foreign: string) => OciEmulatorOptions,
    foreignAuth: OciAuth = { kind: 'none' },
    foreignOptions: OciEmulatorOptions = {},
  ) {
    const state = new OciRegistryState(ALICE);
    const foreign = await startOciRegistryEmulator(foreignAuth, { ...foreignOptions, state });
    const registry = await startOciRegistryEmulator(ALICE, { ...registryOptions(foreign.url), state });
    started.push(foreign, registry);
    const session = new OciImageRegistry({ timeoutMs: 5_000, fetch: transport }).session(registry.url, BASIC);
    return { state, foreign, registry, session };
  }

  it('uploads to a Location on another host without Authorization', async () => {
    const { state, foreign, registry, session } = await pair((f) => ({ uploadsAt: f }));
    await session.pushImage(REPO, '1.0.0', await anImage('1.0.0'));
    expect(state.manifestOf(REPO, '1.0.0')).toBeDefined();
    const there = state.requestsTo(foreign.url);
    expect(there.map((r) => r.method)).toEqual(['PUT', 'PUT']); // the config and the layer
    expect(there.map((r) => r.authorization)).toEqual([undefined, undefined]);
    const here = state.requestsTo(registry.url).filter((r) => r.path !== '/token');
    expect(here.slice(1).every((r) => r.authorization?.startsWith('Bearer '))).toBe(true);
  });

  it('follows a tag-list Link to another host without Authorization; a relative Link is resolved against the registry', async () => {
    const { state, foreign, registry, session } = await pair(
      (f) => ({ tagPageSize: 1, linksAt: f }),
      { kind: 'none' },
      { tagPageSize: 1 }, // its own Link is relative: back to the registry
    );
    for (const tag of ['1.0.0', '2.0.0', '3.0.0', '4.0.0'])
      await session.pushImage(REPO, tag, await anImage(tag));
    expect(await session.tags(REPO)).toEqual(['1.0.0', '2.0.0', '3.0.0', '4.0.0']);
    const lists = state.requests.filter((r) => r.path.endsWith('/tags/list'));
    const at = (url: string) => new URL(url).host;
    expect(lists.map((r) => r.host)).toEqual([
      at(registry.url),
      at(foreign.url),
      at(registry.url),
      at(foreign.url),
    ]);
    expect(state.requestsTo(foreign.url).every((r) => r.authorization === undefined)).toBe(true);
    expect(
      state
        .requestsTo(registry.url)
        .filter((r) => r.path !== '/token')
        .slice(1),
    ).not.toContainEqual(expect.objectContaining({ authorization: undefined }));
  });

  it('never answers a 401 from another host: no token exchange there, no credentials sent', async () => {
    const { state, foreign, session } = await pair((f) => ({ uploadsAt: f }), ALICE);
    const error = await caught(session.pushImage(REPO, '1.0.0', await anImage('1.0.0')));
    expect(error).toBeInstanceOf(RegistryAuthorizationError);
    expect((error as Error).message).toMatch(/could not upload blob sha256:.* the registry answered 401/);
    const there = state.requestsTo(foreign.url);
    expect(there.map((r) => `${r.method} ${r.path.replace(/[^/]+$/, '…')}`)).toEqual([
      `PUT /v2/${REPO}/blobs/uploads/…`,
    ]);
    expect(there[0]!.authorization).toBeUndefined();
    expect(state.manifestOf(REPO, '1.0.0')).toBeUndefined();
  });

  it('follows a blob redirect to another host (a storage front) without Authorization', async () => {
    const { state, foreign, session } = await pair((f) => ({ blobsAt: f }));
    const image = await anImage('1.0.0');
    await session.pushImage(REPO, '1.0.0', image);
    await session.pushImage(REPO, 'again', image); // the blobs are there now: HEADs only, no upload
    const there = state.requestsTo(foreign.url);
    expect(there.length).toBeGreaterThanOrEqual(4);
    expect(there.every((r) => r.method === 'HEAD' && r.authorization === undefined)).toBe(true);
    expect(state.requests.filter((r) => r.method === 'POST')).toHaveLength(2); // uploads of the first push only
  });

  it('asks the realm the registry names, even on another host, and sends the token to the registry only', async () => {
    const { state, foreign, registry, session } = await pair((f) => ({ realmAt: f }), ALICE);
    await session.pushImage(REPO, '1.0.0', await anImage('1.0.0'));
    expect(state.requestsTo(foreign.url).map((r) => [r.path, r.authorization])).toEqual([['/token', BASIC]]);
    expect(state.tokenRequests().every((r) => r.host === new URL(foreign.url).host)).toBe(true);
    expect(state.requestsTo(registry.url).length).toBeGreaterThan(3);
  });
});

describe('OCI realm and redirect rules (https registry, scripted answers)', () => {
  /** A fetch answering from `answers` by the longest matching URL prefix, recording every call. */
  function scripted(answers: Record<string, () => Response>) {
    const sent: { url: string; authorization: string | null }[] = [];
    const fetch: FetchLike = async (url, init) => {
      sent.push({ url, authorization: new Headers(init.headers).get('authorization') });
      expect(init.redirect).toBe('manual');
      const longestFirst = Object.keys(answers).sort((a, b) => b.length - a.length);
      const key = longestFirst.find((prefix) => url.startsWith(prefix));
      return key ? answers[key]!() : new Response('{}', { status: 404 });
    };
    return { fetch, sent };
  }
  const challenge = (realm: string) => () =>
    new Response('{}', {
      status: 401,
      headers: { 'WWW-Authenticate': `Bearer realm="${realm}",service="r"` },
    });

  it('refuses an http: realm for an https: registry, sending the credentials nowhere', async () => {
    const { fetch, sent } = scripted({
      'https://registry.example/v2/': challenge('http://auth.example/token'),
    });
    const session = new OciImageRegistry({ timeoutMs: 5_000, fetch }).session(
      'https://registry.example',
      BASIC,
    );
    const error = await caught<RegistryError>(session.tags(REPO));
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.message).toBe(
      `Cannot retrieve the tags of ${REPO}: the registry's token service is a plain-http URL, which an https registry's credentials never go to.`,
    );
    expect(sent.map((s) => s.url)).toEqual([`https://registry.example/v2/${REPO}/tags/list`]);
  });

  it('does not follow a redirect of a PUT, nor one from https to http, nor a sixth one', async () => {
    const to = (location: string) => () =>
      new Response(null, { status: 307, headers: { Location: location } });
    const { fetch, sent } = scripted({
      'https://registry.example/v2/acme/widget-bundle/blobs/sha256': to('http://storage.example/blob'),
      'https://registry.example/v2/acme/widget-bundle/tags/list': to(
        'https://registry.example/v2/acme/loop/tags/list',
      ),
      'https://registry.example/v2/acme/loop/tags/list': to(
        'https://registry.example/v2/acme/loop/tags/list',
      ),
    });
    const session = new OciImageRegistry({ timeoutMs: 5_000, fetch }).session(
      'https://registry.example',
      BASIC,
    );
    const push = await caught<RegistryError>(session.pushImage(REPO, '1.0.0', await anImage('1.0.0')));
    expect(push).toBeInstanceOf(RegistryError);
    expect(push.message).toMatch(
      /could not check blob sha256:\w+ of acme\/widget-bundle: the registry answered a redirect \(HTTP 307 to storage\.example\), from https to plain http, which is not followed\.$/,
    );
    expect(sent.some((s) => s.url.startsWith('http://storage.example'))).toBe(false);
    const list = await caught<RegistryError>(session.tags(REPO));
    expect(list.message).toMatch(/after 5 redirects already, which is not followed\.$/);
    expect(sent.filter((s) => s.url.includes('/loop/'))).toHaveLength(5);
  });

  it('a redirect of a PUT is a failure naming the host only', async () => {
    const { fetch } = scripted({
      'https://registry.example/v2/acme/widget-bundle/blobs/sha256': () =>
        new Response(null, { status: 404 }),
      'https://registry.example/v2/acme/widget-bundle/blobs/uploads/': () =>
        new Response(null, { status: 202, headers: { Location: '/v2/acme/widget-bundle/blobs/uploads/u1' } }),
      'https://registry.example/v2/acme/widget-bundle/blobs/uploads/u1': () =>
        new Response(null, {
          status: 308,
          headers: { Location: 'https://elsewhere.example/put?sig=s3cr3t' },
        }),
    });
    const session = new OciImageRegistry({ timeoutMs: 5_000, fetch }).session(
      'https://registry.example',
      BASIC,
    );
    const error = await caught<RegistryError>(session.pushImage(REPO, '1.0.0', await anImage('1.0.0')));
    expect(error.message).toMatch(
      /: the registry answered a redirect \(HTTP 308 to elsewhere\.example\), which is not followed for PUT\.$/,
    );
  });
});

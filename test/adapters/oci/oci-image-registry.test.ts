/** What the OCI adapter does beyond the port's contract: the wire protocol, auth handshake, timeouts, failures. */
import { afterEach, describe, expect, it } from 'vitest';
import { parseBearerChallenge, tokenUrl } from '../../../src/adapters/oci/auth-challenge.js';
import { OciImageRegistry } from '../../../src/adapters/oci/oci-image-registry.js';
import { RegistryError } from '../../../src/domain/errors.js';
import { anImage } from '../../contracts/image-registry-contract.js';
import { type OciRegistryEmulator, startOciRegistryEmulator } from '../../emulators/oci-registry-emulator.js';
import { caught } from '../../support/failure.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { transports } from '../../support/transports.js';

const BASIC = `Basic ${btoa('alice:s3cret')}`;
const REPO = 'acme/widget-bundle';

describe.each(transports)('OciImageRegistry over %s', (_transport, transport) => {
  let emulator: OciRegistryEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  it('trades Basic credentials for a bearer token once per session, and never sends the caller’s value elsewhere', async () => {
    emulator = await startOciRegistryEmulator({ kind: 'bearer', user: 'alice', password: 's3cret' });
    const session = new OciImageRegistry({ timeoutMs: 5_000, fetch: transport }).session(emulator.url, BASIC);
    await session.pushImage(REPO, '1.0.0', await anImage('1.0.0'));
    await session.pushImage(REPO, '2.0.0', await anImage('2.0.0'));
    expect(await session.tags(REPO)).toEqual(['1.0.0', '2.0.0']);

    const tokens = emulator.state.tokenRequests();
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.authorization).toBe(BASIC);
    expect(new URLSearchParams(tokens[0]!.query).get('service')).toBe('emulator');
    expect(new URLSearchParams(tokens[0]!.query).get('scope')).toBe(`repository:${REPO}:pull,push`);
    const registryCalls = emulator.state.requests.filter((r) => r.path !== '/token');
    // Only the very first call went with the caller's credentials; the rest with the token.
    expect(registryCalls.filter((r) => r.authorization === BASIC)).toHaveLength(1);
    expect(registryCalls.slice(1).every((r) => r.authorization?.startsWith('Bearer '))).toBe(true);
  });

  it('does not send a caller’s bearer token to the token realm', async () => {
    emulator = await startOciRegistryEmulator({ kind: 'bearer', user: 'alice', password: 's3cret' });
    const session = new OciImageRegistry({ timeoutMs: 5_000, fetch: transport }).session(
      emulator.url,
      'Bearer not-for-the-realm',
    );
    await caught(session.tags(REPO));
    expect(emulator.state.tokenRequests().map((r) => r.authorization)).toEqual([undefined]);
  });

  it('uploads a blob once: the same image under another tag only puts a manifest', async () => {
    emulator = await startOciRegistryEmulator();
    const session = new OciImageRegistry({ timeoutMs: 5_000, fetch: transport }).session(emulator.url, BASIC);
    const image = await anImage('1.0.0');
    await session.pushImage(REPO, '1.0.0', image);
    const before = emulator.state.requests.length;
    await session.pushImage(REPO, 'again', image);
    const calls = emulator.state.requests.slice(before).map((r) => r.method);
    expect(calls).toEqual(['HEAD', 'HEAD', 'PUT']);
    expect(emulator.state.manifestOf(REPO, 'again')?.mediaType).toBe(
      'application/vnd.oci.image.manifest.v1+json',
    );
  });

  it('checks a blob larger than maxAnswerBytes by HEAD (its Content-Length is the blob’s), refuses such a GET answer', async () => {
    emulator = await startOciRegistryEmulator();
    const image = await anImage('1.0.0');
    await new OciImageRegistry({ timeoutMs: 5_000, fetch: transport })
      .session(emulator.url, BASIC)
      .pushImage(REPO, '1.0.0', image);
    const small = new OciImageRegistry({ timeoutMs: 5_000, fetch: transport, maxAnswerBytes: 64 });
    await small.session(emulator.url, BASIC).pushImage(REPO, 'again', image);
    expect(emulator.state.manifestOf(REPO, 'again')).toBeDefined();
    const error = await caught(small.session(emulator.url, BASIC).manifestDigest(REPO, '1.0.0'));
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toContain('the registry answered more than 64 bytes');
  });

  it('gives up on a registry that does not answer within request_timeout', async () => {
    emulator = await startOciRegistryEmulator();
    emulator.state.hang = /^PUT /;
    const logger = new RecordingLogger();
    const registry = new OciImageRegistry({ timeoutMs: 300, logger, fetch: transport });
    const error = await caught<RegistryError>(
      registry.session(emulator.url, BASIC).pushImage(REPO, '1.0.0', await anImage('1.0.0')),
    );
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.message).toMatch(
      /^Failed to push manifest: could not upload blob sha256:.*did not answer within 300 ms\.$/,
    );
    expect(logger.warnings.some((w) => w.fields?.upstream === 'oci_registry')).toBe(true);
  });

  it('says so when the registry does not allow deleting', async () => {
    emulator = await startOciRegistryEmulator();
    const session = new OciImageRegistry({ timeoutMs: 5_000, fetch: transport }).session(emulator.url, BASIC);
    await session.pushImage(REPO, '1.0.0', await anImage('1.0.0'));
    emulator.state.deleteDisabled = true;
    const error = await caught(session.deleteTag(REPO, '1.0.0'));
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toContain('deleting is disabled in this registry');
  });

  it('maps a connection failure to RegistryError without the platform’s message', async () => {
    emulator = await startOciRegistryEmulator();
    const url = emulator.url;
    await emulator.close();
    const error = await caught(
      new OciImageRegistry({ timeoutMs: 2_000, fetch: transport })
        .session(url, BASIC)
        .manifestDigest(REPO, '1'),
    );
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toMatch(/could not connect to the registry( \(ECONNREFUSED\))?\.$/);
  });

  it('pings: up when /v2/ answers 200 or asks for credentials, down otherwise', async () => {
    emulator = await startOciRegistryEmulator({ kind: 'basic', user: 'alice', password: 's3cret' });
    const registry = new OciImageRegistry({ timeoutMs: 2_000, retryDelayMs: 10, fetch: transport });
    await expect(registry.ping(emulator.url)).resolves.toBeUndefined();
    const url = emulator.url;
    await emulator.close();
    await expect(registry.ping(url)).rejects.toThrow(/^Could not connect to the registry/);
  });
});

describe('parseBearerChallenge', () => {
  it('reads realm, service and scope (whose value has commas)', () => {
    const challenge = parseBearerChallenge(
      'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push"',
    );
    expect(challenge).toEqual({
      realm: 'https://auth.example.com/token',
      service: 'registry.example.com',
      scope: 'repository:a/b:pull,push',
    });
    expect(tokenUrl(challenge!)).toBe(
      'https://auth.example.com/token?service=registry.example.com&scope=repository%3Aa%2Fb%3Apull%2Cpush',
    );
  });

  it('ignores Basic challenges, missing realms and realms that are not http(s)', () => {
    expect(parseBearerChallenge('Basic realm="x"')).toBeUndefined();
    expect(parseBearerChallenge('Bearer service="x"')).toBeUndefined();
    expect(parseBearerChallenge(null)).toBeUndefined();
    expect(tokenUrl({ realm: 'file:///etc/passwd' })).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { LogSecrets, scrubbingLogger, secretForms } from '../../src/infrastructure/log-secrets.js';
import { createLogger } from '../../src/infrastructure/logger.js';

const BASIC = 'Basic c2VjcmV0LXVzZXI6c2VjcmV0LXBhc3M='; // secret-user:secret-pass

describe('secrets in log lines', () => {
  it('knows the forms a token takes: as given, without its scheme, base64, escaped, decoded', () => {
    const forms = secretForms(BASIC);
    expect(forms).toEqual(
      expect.arrayContaining([
        BASIC,
        'c2VjcmV0LXVzZXI6c2VjcmV0LXBhc3M=',
        btoa(BASIC).replace(/=+$/, ''),
        'secret-user:secret-pass',
        'secret-pass',
      ]),
    );
    expect(secretForms('Bearer abcdef123456')).toContain('abcdef123456');
    expect(secretForms('tok"en\\123')).toContain('tok\\"en\\\\123');
    expect(secretForms('abc')).toEqual([]); // too short to scrub without blanking ordinary words
  });

  it('scrubs configured secrets for good and held ones until released', () => {
    const secrets = new LogSecrets(['oauth-0123456789']);
    const release = secrets.hold(BASIC);
    const again = secrets.hold(BASIC); // two requests with the same token
    const line = `a ${BASIC} b Bearer oauth-0123456789 c secret-pass d`;
    expect(secrets.scrub(line)).toBe('a [redacted] b Bearer [redacted] c [redacted] d');
    release();
    expect(secrets.scrub('secret-pass')).toBe('[redacted]');
    again();
    release(); // a second release of the same hold changes nothing
    expect(secrets.scrub('secret-pass oauth-0123456789')).toBe('secret-pass [redacted]');
  });

  it('scrubs adjacent and repeated occurrences, with a thousand requests in flight', () => {
    const secrets = new LogSecrets();
    const releases = Array.from({ length: 1_000 }, (_, i) => secrets.hold(`Bearer token-number-${i}`));
    expect(secrets.scrub('xtoken-number-7token-number-999 token-number-7y')).toBe(
      'x[redacted][redacted] [redacted]y',
    );
    expect(secrets.scrub('token-number-1000 tok')).toBe('[redacted]0 tok'); // token-number-100 is held
    for (const release of releases) release();
    expect(secrets.scrub('token-number-7')).toBe('token-number-7');
  });

  it('the logger scrubs message, fields at any depth, error objects and keys', () => {
    const lines: string[] = [];
    const secrets = new LogSecrets(['oauth-0123456789']);
    const release = secrets.hold('token-abcdef');
    const logger = scrubbingLogger(
      createLogger('DEBUG', (l) => lines.push(l)),
      secrets,
    );
    const error = new Error('boom token-abcdef');
    logger.error('failed with token-abcdef', {
      error,
      stack: error.stack,
      nested: { list: ['x oauth-0123456789 y', { 'token-abcdef': 1 }] },
      count: 3,
    });
    release();
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/token-abcdef|oauth-0123456789/);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      message: 'failed with [redacted]',
      error: 'Error: boom [redacted]',
      nested: { list: ['x [redacted] y', { '[redacted]': 1 }] },
      count: 3,
    });
  });
});

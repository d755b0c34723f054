/** OMPS_CONF_FILE with OMPS_SECRETS_FILE laid over it: tokens kept in a file of their own (a Kubernetes Secret). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfigTexts } from '../../src/infrastructure/config.js';
import { loadConfigFromEnv } from '../../src/infrastructure/config-files.js';

const dir = mkdtempSync(join(tmpdir(), 'omps-config-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const CONF = `
request_timeout: 30
organizations:
  myorg:
    public: true
    package_name_suffix: -beta
  other: {}
`;

describe('OMPS_SECRETS_FILE', () => {
  it("adds each organization's oauth_token to the organizations OMPS_CONF_FILE sets up", () => {
    const config = loadConfigFromEnv({
      OMPS_CONF_FILE: file('omps.yaml', CONF),
      OMPS_SECRETS_FILE: file('secrets.yaml', 'organizations:\n  myorg:\n    oauth_token: s3cr3t-token\n'),
    });
    expect(config.requestTimeoutMs).toBe(30_000);
    expect(config.organizations.get('myorg')).toMatchObject({
      public: true,
      packageNameSuffix: '-beta',
      oauthToken: 's3cr3t-token',
    });
    expect(config.organizations.get('other')?.oauthToken).toBeUndefined();
  });

  it('is optional, and so is OMPS_CONF_FILE', () => {
    expect(
      loadConfigFromEnv({ OMPS_CONF_FILE: file('only.yaml', CONF) }).organizations.get('myorg')?.oauthToken,
    ).toBe(undefined);
    expect(loadConfigFromEnv({}).requestTimeoutMs).toBe(60_000);
  });

  it('replaces values other than mappings (a list is not merged item by item)', () => {
    const config = parseConfigTexts([
      { text: 'organizations: {o: {replace_registry: [{old: a, new: b}, {old: c, new: d}]}}', source: 'a' },
      { text: 'organizations: {o: {replace_registry: [{old: x, new: y}]}}\nrequest_timeout: 5', source: 'b' },
    ]);
    expect(config.organizations.get('o')?.replaceRegistry).toEqual([{ old: 'x', new: 'y', regexp: false }]);
    expect(config.requestTimeoutMs).toBe(5000);
  });

  it('is checked like the configuration: an unknown key names its path and the closest known key', () => {
    expect(() =>
      loadConfigFromEnv({
        OMPS_CONF_FILE: file('ok.yaml', CONF),
        OMPS_SECRETS_FILE: file('typo.yaml', 'organizations: {myorg: {oauth_tokn: t}}\n'),
      }),
    ).toThrow('organizations.myorg.oauth_tokn: unknown key; did you mean oauth_token?');
  });

  it('names an unreadable file, and a file that does not parse by position only (it may hold a token)', () => {
    const missing = join(dir, 'missing.yaml');
    expect(() => loadConfigFromEnv({ OMPS_SECRETS_FILE: missing })).toThrow(
      `Cannot read OMPS_SECRETS_FILE ${missing}`,
    );
    const broken = file('broken.yaml', 'organizations:\n  myorg: {oauth_token: "very-secret-value\n');
    let message = '';
    try {
      loadConfigFromEnv({ OMPS_SECRETS_FILE: broken });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message).toMatch(
      new RegExp(
        `^Cannot parse ${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(line \\d+, column \\d+\\)$`,
      ),
    );
    expect(message).not.toContain('very-secret-value');
  });
});

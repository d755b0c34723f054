/**
 * replace_registry rules with `regexp: true` are Python `re` syntax, checked
 * and compiled when the configuration is loaded: one JavaScript cannot run the
 * same way stops start-up with a message naming the rule and saying why.
 */
import { describe, expect, it } from 'vitest';
import { replaceRegistries } from '../../src/domain/manifest/policies.js';
import { ConfigError, parseConfig } from '../../src/infrastructure/config.js';

const withRule = (rule: Record<string, unknown>) => ({
  organizations: { myorg: { replace_registry: [{ old: 'docker.io', new: 'mirror' }, rule] } },
});

function refusal(raw: unknown): string {
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('replace_registry regexp rules at start-up', () => {
  it.each([
    [String.raw`(?i)quay\.io`, 'x', 'old', 'the inline flag (?i)'],
    [String.raw`(?<org>\w+)`, 'x', 'old', 'Python writes a named group (?P<name>...)'],
    [String.raw`(a)?\1`, 'x', 'old', 'backreference to group 1'],
    ['(', 'x', 'old', 'missing ), unterminated subpattern'],
    [String.raw`quay\.io/(\w+)`, String.raw`\2`, 'new', 'invalid group reference 2'],
    [String.raw`quay\.io/(?P<org>\w+)`, String.raw`\g<repo>`, 'new', "unknown group name 'repo'"],
  ])('%s → %s is refused, naming the rule and why', (old, replacement, field, why) => {
    const message = refusal(withRule({ old, new: replacement, regexp: true }));
    expect(message).toContain(`organizations.myorg.replace_registry.1.${field}`);
    expect(message).toContain(why);
  });

  it('a rule written for the original works as it did there: (?P<name>…), \\1, \\g<name>, literal $', () => {
    const config = parseConfig(
      withRule({
        old: String.raw`^(\s+image: )quay\.io/(?P<org>[a-z]+)/`,
        new: String.raw`\1mirror.example.com/\g<org>-$1/`,
        regexp: true,
      }),
    );
    const rewrite = replaceRegistries(config.organizations.get('myorg')?.replaceRegistry ?? []);
    expect(rewrite('spec:\n    image: quay.io/acme/op:v1\nregistry: quay.io\n')).toBe(
      'spec:\n    image: mirror.example.com/acme-$1/op:v1\nregistry: quay.io\n',
    );
  });

  it('plain rules are never read as patterns', () => {
    const config = parseConfig(withRule({ old: '(?i)[', new: String.raw`\1$&`, regexp: false }));
    const rewrite = replaceRegistries(config.organizations.get('myorg')?.replaceRegistry ?? []);
    expect(rewrite('a (?i)[ b')).toBe(String.raw`a \1$& b`);
  });
});

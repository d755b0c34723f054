import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { closest, strictObject } from '../../src/infrastructure/unknown-keys.js';

describe('unknown configuration keys', () => {
  // Shaped like the configuration: defaults, a record of objects, lists, a transform, a refined object.
  const schema = strictObject({
    timeout: z.number().default(1),
    level: z
      .string()
      .transform((s) => s.toUpperCase())
      .pipe(z.string())
      .default('INFO'),
    orgs: z
      .record(
        z.string(),
        strictObject({
          public: z.boolean().default(false),
          images: strictObject({ registry: z.string(), repository: z.string().optional() }).optional(),
          rules: z.array(strictObject({ old: z.string() }).superRefine(() => {})).default([]),
        }),
      )
      .default({}),
  });
  const messages = (value: unknown) => schema.safeParse(value).error?.issues.map((i) => i.message) ?? [];

  it('finds none in a value that only uses known keys', () => {
    expect(
      messages({
        timeout: 2,
        level: 'debug',
        orgs: { a: { public: true, images: { registry: 'r' }, rules: [{ old: 'x' }] } },
      }),
    ).toEqual([]);
  });

  it('names every unknown key of every level with its path and the closest known key', () => {
    expect(
      messages({
        timeot: 2,
        tiemout: 3,
        orgs: {
          a: {
            pubic: true,
            images: { registry: 'r', registy: 'r' },
            rules: [{ old: 'x' }, { old: 'y', olde: 'y' }],
          },
        },
      }).sort(),
    ).toEqual([
      'orgs.a.images.registy: unknown key; did you mean registry?',
      'orgs.a.pubic: unknown key; did you mean public?',
      'orgs.a.rules.1.olde: unknown key; did you mean old?',
      'timeot: unknown key; did you mean timeout?; tiemout: unknown key; did you mean timeout?',
    ]);
  });

  it("leaves zod's own message for a value of the wrong shape", () => {
    expect(messages({ orgs: { a: 'text' } })).toEqual(['Invalid input: expected object, received string']);
  });

  it('shortens a very long path', () => {
    const [message] = messages({ ['k'.repeat(500)]: 1 });
    expect(message).toBe(`${'k'.repeat(200)}…: unknown key`);
  });

  it('suggests only a key within about one edit in three letters, ignoring case', () => {
    expect(closest('request_timout', ['request_timeout', 'quay_url'])).toBe('request_timeout');
    expect(closest('replace_regsitry', ['replace_registry', 'public'])).toBe('replace_registry');
    expect(closest('LOG_LEVEL', ['log_level'])).toBe('log_level');
    expect(closest('id', ['old', 'new'])).toBeUndefined();
    expect(closest('colour', ['quay_url', 'log_level'])).toBeUndefined();
    expect(closest('x'.repeat(10_000), ['x'])).toBeUndefined();
  });
});

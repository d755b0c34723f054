import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { closest, unknownKeys } from '../../src/infrastructure/unknown-keys.js';

describe('unknown configuration keys', () => {
  // Shaped like the configuration: defaults, a record of objects, lists, a transform, a refined object.
  const schema = z.object({
    timeout: z.number().default(1),
    level: z
      .string()
      .transform((s) => s.toUpperCase())
      .pipe(z.string())
      .default('INFO'),
    orgs: z
      .record(
        z.string(),
        z.object({
          public: z.boolean().default(false),
          images: z.object({ registry: z.string(), repository: z.string().optional() }).optional(),
          rules: z.array(z.object({ old: z.string() }).superRefine(() => {})).default([]),
        }),
      )
      .default({}),
  });

  it('finds none in a value that only uses known keys', () => {
    expect(
      unknownKeys(schema, {
        timeout: 2,
        level: 'debug',
        orgs: { a: { public: true, images: { registry: 'r' }, rules: [{ old: 'x' }] } },
      }),
    ).toEqual([]);
  });

  it('reads the known keys of every level from the schema, strict or not', () => {
    expect(
      unknownKeys(schema, {
        timeot: 2,
        orgs: { a: { pubic: true, images: { registy: 'r' }, rules: [{ old: 'x' }, { olde: 'y' }] } },
      }),
    ).toEqual([
      'timeot: unknown key; did you mean timeout?',
      'orgs.a.pubic: unknown key; did you mean public?',
      'orgs.a.images.registy: unknown key; did you mean registry?',
      'orgs.a.rules.1.olde: unknown key; did you mean old?',
    ]);
  });

  it('leaves values of the wrong shape to the schema', () => {
    expect(unknownKeys(schema, { orgs: [], timeout: { x: 1 }, level: ['a'] })).toEqual([]);
    expect(unknownKeys(schema, 'text')).toEqual([]);
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

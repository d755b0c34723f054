/** The digest cache: bounded by the bytes it holds, least recently used out first. */
import { describe, expect, it } from 'vitest';
import { DigestCache } from '../../../src/adapters/oci/digest-cache.js';

describe('DigestCache', () => {
  it('evicts the least recently used entries past its byte bound, and never holds an entry larger than it', () => {
    const cache = new DigestCache<string>(10);
    cache.set('a', 'A', 4);
    cache.set('b', 'B', 4);
    expect(cache.get('a')).toBe('A'); // a is now the most recent
    cache.set('c', 'C', 4);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual(['A', undefined, 'C']);
    cache.set('huge', 'H', 11);
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.size).toBe(2);
    cache.set('a', 'A2', 10);
    expect([cache.get('a'), cache.get('c'), cache.size]).toEqual(['A2', undefined, 1]);
  });
});

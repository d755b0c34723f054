/** The runtime check every Node entry runs first (the entries themselves: test/integration/hostile-clients.test.ts). */
import { readFileSync } from 'node:fs';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runtimeProblem, SUPPORTED_NODE } from '../../src/infrastructure/runtime.js';
import { ROOT } from '../support/dist.js';

describe('runtimeProblem', () => {
  it('finds none on this Node.js', () => {
    expect(runtimeProblem()).toBeUndefined();
    expect(runtimeProblem(zlib, '20.15.0')).toBeUndefined();
  });

  it('names the version, what is missing and the versions that have it', () => {
    expect(runtimeProblem({}, '20.11.1')).toBe(
      'Node.js 20.11.1 is too old for OMPS, which needs zlib.crc32 (Node.js 20.15 or later in the 20 line, or 22.2 or later; engines: ^20.15.0 || >=22.2.0).',
    );
  });

  it('is what package.json says', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(SUPPORTED_NODE);
  });
});

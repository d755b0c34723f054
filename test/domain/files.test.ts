import { describe, expect, it } from 'vitest';
import { rootedFiles } from '../../src/domain/files.js';

const f = (...paths: string[]) => paths.map((path) => ({ path, data: new Uint8Array() }));
const paths = (files: { path: string }[]) => files.map((x) => x.path);

describe('archive root', () => {
  it('keeps files at the root as they are', () => {
    expect(paths(rootedFiles(f('a.yaml', 'dir/b.yaml')))).toEqual(['a.yaml', 'dir/b.yaml']);
  });

  it('treats a single top-level folder as the root', () => {
    expect(paths(rootedFiles(f('op/a.yaml', 'op/1.0/b.yaml')))).toEqual(['a.yaml', '1.0/b.yaml']);
  });

  it('keeps two top-level folders as they are', () => {
    expect(paths(rootedFiles(f('one/a.yaml', 'two/b.yaml')))).toEqual(['one/a.yaml', 'two/b.yaml']);
  });

  it('leaves out macOS resource forks, so a folder zipped on a Mac still has one root', () => {
    expect(paths(rootedFiles(f('op/a.yaml', '__MACOSX/op/._a.yaml', '__MACOSX/._op')))).toEqual(['a.yaml']);
  });

  it('an empty archive has no files', () => {
    expect(rootedFiles([])).toEqual([]);
  });
});

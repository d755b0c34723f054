/**
 * What `omps nest` and `omps flatten` write lands under the folder named on
 * the command line and nowhere else: a path that would leave it, or a symbolic
 * link inside it on the way to a file, is refused before anything is written.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError, EXIT_USAGE } from '../../../src/infrastructure/cli/cli-error.js';
import { writeTree } from '../../../src/infrastructure/cli/files.js';

let dir: string;
let count = 0;
const bytes = (text: string) => new TextEncoder().encode(text);
/** A fresh folder `<dir>/<n>/target`, so that `..` from it lands in a folder the test owns. */
const fresh = () => {
  const parent = join(dir, String(++count));
  mkdirSync(parent);
  return { parent, target: join(parent, 'target') };
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'omps-write-tree-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function refused(target: string, files: { path: string; data: Uint8Array }[]): Promise<CliError> {
  const error = await writeTree(target, files).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CliError);
  expect((error as CliError).exitCode).toBe(EXIT_USAGE);
  return error as CliError;
}

describe('writeTree', () => {
  it('writes nested folders under the target', async () => {
    const { target } = fresh();
    await writeTree(target, [
      { path: '1.0.0/a.yaml', data: bytes('a') },
      { path: 'p.package.yaml', data: bytes('p') },
    ]);
    expect(readFileSync(join(target, '1.0.0', 'a.yaml'), 'utf8')).toBe('a');
    expect(readdirSync(target).sort()).toEqual(['1.0.0', 'p.package.yaml']);
  });

  it.each(['../x', '../../x', '1.0.0/../../x', '/tmp/x', 'a\\..\\..\\x', ''])(
    'refuses %j, writing nothing at all',
    async (path) => {
      const { parent, target } = fresh();
      const error = await refused(target, [
        { path: 'first.yaml', data: bytes('first') },
        { path, data: bytes('escaped') },
      ]);
      expect(error.message).toBe(`refusing to write ${JSON.stringify(path)} outside ${target}`);
      expect(readdirSync(parent)).toEqual([]);
    },
  );

  it('refuses to write through a symbolic link inside the target, to a folder or to a file', async () => {
    const { parent, target } = fresh();
    const elsewhere = join(parent, 'elsewhere');
    mkdirSync(elsewhere);
    mkdirSync(target);
    symlinkSync(elsewhere, join(target, '1.0.0'));
    const viaFolder = await refused(target, [
      { path: 'ok.yaml', data: bytes('ok') },
      { path: '1.0.0/a.yaml', data: bytes('a') },
    ]);
    expect(viaFolder.message).toBe(
      `refusing to write through the symbolic link ${join(target, '1.0.0')} in ${target}`,
    );
    symlinkSync(join(elsewhere, 'p.yaml'), join(target, 'p.yaml'));
    await refused(target, [{ path: 'p.yaml', data: bytes('p') }]);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(existsSync(join(target, 'ok.yaml'))).toBe(false);
  });
});

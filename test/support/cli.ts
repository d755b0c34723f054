/** Running the compiled `omps` command line as a process, and laying bundles out on disk for it. */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FileEntry } from '../../src/domain/files.js';
import { DIST, ensureBuilt } from './dist.js';

export const CLI_MAIN = join(DIST, 'src', 'infrastructure', 'cli', 'main.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const buildCli = () => ensureBuilt(CLI_MAIN);

/** `node dist/src/infrastructure/cli/main.js ...args`, bounded in time; never rejects. */
export function omps(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI_MAIN, ...args],
      { env: { ...process.env, OMPS_TOKEN: undefined, ...env }, timeout: 20_000 },
      (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

/** Writes the files under `root`, creating folders. */
export function writeFiles(root: string, files: readonly FileEntry[]): string {
  for (const file of files) {
    const target = join(root, ...file.path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.data);
  }
  return root;
}

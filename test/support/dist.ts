/**
 * The compiled entry points (dist/), for tests that run them as processes.
 * There is no `pretest` build: the first test file that needs dist/ builds it
 * when it is missing or older than src/; a lock folder makes test files
 * running in parallel wait for that one build instead of racing it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const DIST = join(ROOT, 'dist');
const LOCK = join(DIST, '.build-lock');
/** A lock older than this was left by a build that died. */
const STALE_LOCK_MS = 180_000;

/** Newest modification time of the TypeScript sources the build compiles. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

const fresh = (entry: string) =>
  existsSync(entry) && statSync(entry).mtimeMs >= newestSource(join(ROOT, 'src'));

function tryLock(): boolean {
  try {
    mkdirSync(LOCK);
    return true;
  } catch {
    try {
      if (Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
    } catch {
      // Released meanwhile: the next try takes it.
    }
    return false;
  }
}

/** Builds dist/ unless `entry` (a path under dist/) is newer than every source. */
export async function ensureBuilt(entry: string): Promise<void> {
  mkdirSync(DIST, { recursive: true });
  for (;;) {
    // Another file's build in progress may have written `entry` already, but not the rest.
    if (fresh(entry) && !existsSync(LOCK)) return;
    if (tryLock()) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  try {
    if (fresh(entry)) return;
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const output = await new Promise<string>((done) => {
      execFile(
        process.execPath,
        [tsc, '-p', 'tsconfig.build.json'],
        { cwd: ROOT, timeout: 170_000 },
        (error, stdout, stderr) => done(error ? `${stdout}${stderr}`.trim() || error.message : ''),
      );
    });
    // tsc emits even with type errors (those are `tsc --noEmit`'s business); a missing entry is fatal.
    if (!existsSync(entry)) throw new Error(`could not build ${entry}:\n${output}`);
    if (output) console.warn(`tsc -p tsconfig.build.json reported:\n${output}`);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

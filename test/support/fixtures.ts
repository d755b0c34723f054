/** The operator bundles under test/fixtures/ (see its README), read in place. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const FIXTURES_DIR = resolve(import.meta.dirname, '..', 'fixtures');

/** Every file of a fixture folder, paths relative to it with `/`, in name order. */
export function readFixture(name: string): { path: string; data: Uint8Array }[] {
  const root = join(FIXTURES_DIR, name);
  const out: { path: string; data: Uint8Array }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else
        out.push({
          path: relative(root, full).split('\\').join('/'),
          data: new Uint8Array(readFileSync(full)),
        });
    }
  };
  walk(root);
  return out;
}

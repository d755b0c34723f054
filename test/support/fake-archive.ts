/** A hand-written Archive for use-case tests: trusts the zip (the real adapter's own tests cover hostility). */
import { unzipSync } from 'fflate';
import type { Archive } from '../../src/application/ports.js';
import { UploadedFileError } from '../../src/domain/errors.js';
import type { FileEntry } from '../../src/domain/files.js';

export class FakeArchive implements Archive {
  async unpack(bytes: Uint8Array): Promise<FileEntry[]> {
    let entries: Record<string, Uint8Array>;
    try {
      entries = unzipSync(bytes);
    } catch {
      throw new UploadedFileError('File is not a zip file');
    }
    return Object.entries(entries)
      .filter(([path]) => !path.endsWith('/'))
      .map(([path, data]) => ({ path, data }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}

/** A hand-written BundlePacker: records what it is asked to pack and answers recognisable bytes (or fails). */
import type { BundlePacker } from '../../src/application/ports.js';
import type { FileEntry } from '../../src/domain/files.js';

export class RecordingPacker implements BundlePacker {
  readonly calls: { paths: string[]; folder: string }[] = [];
  /** Set to make pack fail as an unpackable bundle does. */
  failWith: Error | undefined;

  async pack(files: readonly FileEntry[], folder: string): Promise<Uint8Array> {
    this.calls.push({ paths: files.map((f) => f.path), folder });
    if (this.failWith) throw this.failWith;
    return new TextEncoder().encode(`packed ${folder}: ${files.map((f) => f.path).join(',')}`);
  }
}

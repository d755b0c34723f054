/**
 * A build system kept in memory with Koji's outcomes: operator builds with a
 * manifests archive, builds that are not operator images, builds whose archive
 * is not listed, and unknown NVRs.
 */
import type { BuildSystem, ManifestsLocation } from '../../application/ports.js';
import {
  KojiManifestsArchiveNotFoundError,
  KojiNotAnOperatorImageError,
  KojiNVRBuildNotFoundError,
  UploadedFileError,
} from '../../domain/errors.js';

export type SeededBuild =
  | { kind: 'operator'; archive: Uint8Array }
  | { kind: 'not-an-operator' }
  | { kind: 'archive-missing'; archiveName: string };

export class InMemoryBuildSystem implements BuildSystem {
  private readonly builds = new Map<string, SeededBuild>();
  unavailable: string | undefined;

  add(nvr: string, build: SeededBuild): this {
    this.builds.set(nvr, build);
    return this;
  }

  async locateManifests(nvr: string): Promise<ManifestsLocation> {
    const build = this.builds.get(nvr);
    if (!build) throw new KojiNVRBuildNotFoundError(nvr);
    if (build.kind === 'not-an-operator') throw new KojiNotAnOperatorImageError(nvr);
    if (build.kind === 'archive-missing') throw new KojiManifestsArchiveNotFoundError(nvr, build.archiveName);
    return { nvr, url: `memory://builds/${nvr}/operator_manifests.zip` };
  }

  async download(location: ManifestsLocation, maxBytes: number): Promise<Uint8Array> {
    const build = this.builds.get(location.nvr);
    if (build?.kind !== 'operator') throw new KojiNVRBuildNotFoundError(location.nvr);
    if (build.archive.byteLength > maxBytes) {
      throw new UploadedFileError(
        `The manifests archive of ${location.nvr} is larger than ${maxBytes} bytes.`,
      );
    }
    return build.archive.slice();
  }

  async ping(): Promise<void> {
    if (this.unavailable) throw new Error(this.unavailable);
  }
}

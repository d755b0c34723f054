/**
 * What every BuildSystem must do, whoever implements it (the in-memory fake and
 * the Koji adapter against the emulator): the port's semantics, not Koji's
 * wire format. The contract owns the data; each subject seeds it its own way.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BuildSystem } from '../../src/application/ports.js';
import {
  KojiManifestsArchiveNotFoundError,
  KojiNotAnOperatorImageError,
  KojiNVRBuildNotFoundError,
  type OmpsError,
  UploadedFileError,
} from '../../src/domain/errors.js';
import { caught } from '../support/failure.js';

export interface BuildSystemSeed {
  /** An operator build and its manifests archive. */
  operator: { nvr: string; archive: Uint8Array };
  /** A build that is not an operator image. */
  notAnOperator: string;
  /** A build naming an archive the build system does not list. */
  archiveMissing: { nvr: string; archiveName: string };
}

export interface BuildSystemSubject {
  buildSystem: BuildSystem;
  cleanup(): Promise<void> | void;
}

/** Several chunks' worth, so that streaming implementations really stream. */
const ARCHIVE_SIZE = 300_000;

export const buildSystemSeed: BuildSystemSeed = {
  operator: { nvr: 'contract-operator-metadata-1.2.3-4', archive: pattern(ARCHIVE_SIZE) },
  notAnOperator: 'contract-rpm-5.2-1.fc40',
  archiveMissing: { nvr: 'contract-lost-metadata-1.0-1', archiveName: 'contract_manifests.zip' },
};

export function buildSystemContract(
  name: string,
  makeSubject: (seed: BuildSystemSeed) => Promise<BuildSystemSubject>,
): void {
  describe(`BuildSystem contract: ${name}`, () => {
    let subject: BuildSystemSubject;
    let buildSystem: BuildSystem;
    const { operator, notAnOperator, archiveMissing } = buildSystemSeed;

    beforeEach(async () => {
      subject = await makeSubject(buildSystemSeed);
      buildSystem = subject.buildSystem;
    });

    afterEach(async () => {
      await subject.cleanup();
    });

    it('locates the manifests of an operator build and downloads the archive bytes', async () => {
      const location = await buildSystem.locateManifests(operator.nvr);
      expect(location.nvr).toBe(operator.nvr);
      expect(typeof location.url).toBe('string');

      const bytes = await buildSystem.download(location, 20 * 1024 * 1024);
      expect(bytes).toBeInstanceOf(Uint8Array);
      expect(bytes.byteLength).toBe(operator.archive.byteLength);
      expect(Buffer.from(bytes).equals(Buffer.from(operator.archive))).toBe(true);
    });

    it('accepts an archive of exactly maxBytes', async () => {
      const location = await buildSystem.locateManifests(operator.nvr);
      const bytes = await buildSystem.download(location, operator.archive.byteLength);
      expect(bytes.byteLength).toBe(operator.archive.byteLength);
    });

    it('hands out a copy: changing it does not change the next download', async () => {
      const location = await buildSystem.locateManifests(operator.nvr);
      const first = await buildSystem.download(location, ARCHIVE_SIZE);
      first.fill(0);
      const second = await buildSystem.download(location, ARCHIVE_SIZE);
      expect(second[4]).toBe(operator.archive[4]);
      expect(Buffer.from(second).equals(Buffer.from(operator.archive))).toBe(true);
    });

    it('refuses an archive larger than maxBytes with OMPSUploadedFileError', async () => {
      const location = await buildSystem.locateManifests(operator.nvr);
      const error = await caught(buildSystem.download(location, operator.archive.byteLength - 1));
      expect(error).toBeInstanceOf(UploadedFileError);
      expect((error as OmpsError).id).toBe('OMPSUploadedFileError');
      expect((error as Error).message).toContain(operator.nvr);
    });

    it('answers KojiNVRBuildNotFound for an unknown NVR', async () => {
      const error = await caught(buildSystem.locateManifests('no-such-build-1.0-1'));
      expect(error).toBeInstanceOf(KojiNVRBuildNotFoundError);
      expect((error as OmpsError).id).toBe('KojiNVRBuildNotFound');
      expect((error as Error).message).toContain('no-such-build-1.0-1');
    });

    it('answers KojiNotAnOperatorImage for a build without operator manifests', async () => {
      const error = await caught(buildSystem.locateManifests(notAnOperator));
      expect(error).toBeInstanceOf(KojiNotAnOperatorImageError);
      expect((error as OmpsError).id).toBe('KojiNotAnOperatorImage');
      expect((error as Error).message).toContain(notAnOperator);
    });

    it('answers KojiManifestsArchiveNotFound when the named archive is not listed', async () => {
      const error = await caught(buildSystem.locateManifests(archiveMissing.nvr));
      expect(error).toBeInstanceOf(KojiManifestsArchiveNotFoundError);
      expect((error as OmpsError).id).toBe('KojiManifestsArchiveNotFound');
      expect((error as Error).message).toContain(archiveMissing.archiveName);
    });

    it('answers ping when available', async () => {
      await expect(buildSystem.ping()).resolves.toBeUndefined();
    });
  });
}

function pattern(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff;
  bytes.set([0x50, 0x4b, 0x03, 0x04]);
  return bytes;
}

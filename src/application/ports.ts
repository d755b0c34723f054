/**
 * The ports the use cases need, shaped by the use cases (not by Quay, Koji or
 * Greenwave). Adapters translate vendor failures into the domain errors named
 * on each method.
 */

import type { BuiltBundleImages } from '../domain/bundle-image/bundle-images.js';
import type { OciImage } from '../domain/bundle-image/oci-image.js';
import type { BaseImage } from '../domain/catalog-image/catalog-image.js';
import type { FileEntry } from '../domain/files.js';
import type { PreparedBundle } from '../domain/manifest/index.js';
import type { OrganizationPolicy } from '../domain/organization-policy.js';

/** The caller's Quay token, passed to the registry as it came. Never logged. */
export type Token = string;

export interface PushRequest {
  organization: string;
  repository: string;
  version: string;
  /** The push-ready bundle (SPEC §6 "What is pushed"), paths relative to the bundle root. */
  bundle: readonly FileEntry[];
  /**
   * `bundle` already packed as the registry's blob under `repository` (by the
   * bundle job, off the event loop); the registry packs `bundle` itself when absent.
   */
  packed?: Uint8Array;
  token: Token;
}

export interface Registry {
  /**
   * The raw release names of `organization/repository`, conforming or not;
   * `undefined` when the registry does not know the package.
   * Throws QuayAuthorizationError (403) or QuayPackageError.
   */
  releases(organization: string, repository: string, token: Token): Promise<string[] | undefined>;
  /**
   * Pushes one release. Throws ReleaseAlreadyExistsError when the release
   * exists, QuayAuthorizationError (403), QuayCourierError otherwise.
   */
  push(request: PushRequest): Promise<void>;
  /** Throws QuayPackageNotFoundError (package or release unknown) or QuayPackageError. */
  deleteRelease(organization: string, repository: string, version: string, token: Token): Promise<void>;
  /** Makes the repository public with the organization's own oauth token. Throws QuayPackageError. */
  makePublic(organization: string, repository: string, oauthToken: string): Promise<void>;
  /**
   * Resolves when the registry answers; rejects with a reason otherwise, or
   * once `signal` aborts (the health check stopped waiting).
   */
  ping(signal?: AbortSignal): Promise<void>;
}

/**
 * An OCI registry (SPEC §10), the sibling of Registry for organizations that
 * publish bundle images. Not the same port: an App Registry release is one
 * versioned blob in an organization's package, listed and deleted by version;
 * an image is content-addressed blobs plus a manifest under a tag, in any
 * registry, with its own auth handshake.
 */
export interface ImageRegistry {
  /**
   * One caller's conversation with the registry at `registry` (base URL):
   * `token` is sent as given; a bearer token obtained from a `401` challenge
   * is reused for the session's later calls.
   */
  session(registry: string, token: Token): ImageRegistrySession;
  /**
   * Tries `token` on the registry (`GET /v2/`, a Bearer challenge answered as
   * for any call) before any work is done for the caller. Throws
   * QuayAuthorizationError when the registry refuses it (401/403); any other
   * answer or failure resolves, left to the calls that follow.
   */
  authenticate(registry: string, token: Token): Promise<void>;
  /**
   * Resolves when the registry answers `GET /v2/` (an auth challenge counts);
   * rejects with a reason otherwise. `signal` ends the ping early (as Registry.ping).
   */
  ping(registry: string, signal?: AbortSignal): Promise<void>;
}

/**
 * Every call throws RegistryAuthorizationError when the registry refuses the
 * credentials (401/403) and RegistryError for any other failure (SPEC §10).
 */
export interface ImageRegistrySession {
  /** The digest of the manifest `repository:tag` points at; undefined when there is none. */
  manifestDigest(repository: string, tag: string): Promise<string | undefined>;
  /** Uploads the blobs the registry lacks, then puts the manifest under `tag`. */
  pushImage(repository: string, tag: string, image: OciImage): Promise<void>;
  /** The repository's tags; undefined when the registry does not know it. */
  tags(repository: string): Promise<string[] | undefined>;
  /**
   * Deletes the manifest `tag` points at (by digest). No such tag: QuayPackageNotFoundError,
   * the 404 a delete of an unknown release answers for Quay too (SPEC §2 has no registry 404).
   */
  deleteTag(repository: string, tag: string): Promise<void>;
}

/**
 * A bundle image read back from the registry for the catalog (SPEC §11): its
 * tag, its manifest digest and the files of its layer (`manifests/…`,
 * `metadata/…`, paths relative to the image root).
 */
export interface StoredBundle {
  tag: string;
  /** `sha256:…` of the image manifest the tag points at. */
  digest: string;
  files: FileEntry[];
}

/** A repository's bundle images, and the tags that are not readable bundle images, each with why. */
export interface StoredBundles {
  bundles: StoredBundle[];
  skipped: { tag: string; reason: string }[];
}

/** The catalog image a tag points at, read for a read-modify-write. */
export interface StoredCatalog {
  /** `sha256:…` of what the tag points at (an image manifest, or an index when the catalog has a base image). */
  digest: string;
  /** The files of its catalog folder (`/configs`), paths relative to it (`etcd/catalog.json`). */
  configs: FileEntry[];
}

/**
 * An OCI registry as the catalog needs it (SPEC §11), beside ImageRegistry: the
 * bundle images read back, the catalog image read and written. Same registry,
 * same credentials and auth handshake as ImageRegistry's sessions.
 */
export interface CatalogRegistry {
  session(registry: string, token: Token): CatalogSession;
}

export interface CatalogSession {
  /**
   * Every tag of `repository` read back as a bundle image (manifest, then its
   * layer unpacked within limits). Foreign tags, non-bundle images and
   * unreadable layers are `skipped`, never thrown. Undefined when the registry
   * has no such repository. Throws RegistryAuthorizationError / RegistryError.
   */
  bundles(repository: string): Promise<StoredBundles | undefined>;
  /** The digest `repository:tag` points at now; undefined when the tag does not exist. */
  catalogDigest(repository: string, tag: string): Promise<string | undefined>;
  /**
   * The catalog image `repository:tag` points at, with its `/configs` files;
   * undefined when the tag (or the repository) does not exist.
   */
  readCatalog(repository: string, tag: string): Promise<StoredCatalog | undefined>;
  /**
   * The base image named by `reference` (`host[:port]/repo@sha256:…` or `:tag`),
   * resolved to what pushCatalog needs. Throws CatalogValidationError naming
   * `catalog.base_image` when it is missing or not an image.
   */
  resolveBase(reference: string): Promise<CatalogBase>;
  /**
   * Pushes the catalog image for `configs` (the whole `/configs` folder) on top
   * of `base` (none: a one-layer image) and points `tag` at it. Returns the
   * digest the tag now points at. Base blobs are mounted from their repository
   * when in the same registry, copied otherwise.
   *
   * With `expected` (a digest, or null for "no tag yet"), the tag is read again
   * right before it is written — after every blob and platform manifest is up —
   * and left alone when it points elsewhere: then the answer is undefined.
   * (The distribution API has no conditional PUT; this keeps the window to one
   * round trip.)
   */
  pushCatalog(
    repository: string,
    tag: string,
    configs: readonly FileEntry[],
    base?: CatalogBase,
    expected?: string | null,
  ): Promise<string | undefined>;
}

/** A base image, resolved. The use case only carries it (from resolveBase to pushCatalog). */
export interface CatalogBase {
  /** The reference as configured. */
  reference: string;
  /** `sha256:…` of its top-level manifest (index or image manifest). */
  digest: string;
  /** Where its blobs are: the registry's `host[:port]` and the repository, to mount or copy them from. */
  host: string;
  repository: string;
  /** Its index (or single manifest) and every platform image, as the catalog image builder needs them. */
  image: BaseImage;
}

/** Where a build's operator manifests archive is; opaque to the use cases. */
export interface ManifestsLocation {
  nvr: string;
  url: string;
}

export interface BuildSystem {
  /**
   * Looks the build up and finds its manifests archive. Throws
   * KojiNVRBuildNotFoundError, KojiNotAnOperatorImageError,
   * KojiManifestsArchiveNotFoundError or KojiError.
   */
  locateManifests(nvr: string): Promise<ManifestsLocation>;
  /**
   * Downloads the archive. Refuses (UploadedFileError) a body larger than
   * `maxBytes` without holding it whole; other failures are KojiError.
   */
  download(location: ManifestsLocation, maxBytes: number): Promise<Uint8Array>;
  /** As Registry.ping. */
  ping(signal?: AbortSignal): Promise<void>;
}

export interface PolicyGate {
  /** Resolves when the build may ship; throws GreenwaveUnsatisfiedError or GreenwaveError. */
  check(nvr: string): Promise<void>;
  /** As Registry.ping. */
  ping(signal?: AbortSignal): Promise<void>;
}

export interface ArchiveLimits {
  /** Total bytes actually inflated, all entries together. */
  maxUncompressedSize: number;
}

export interface Archive {
  /**
   * Unpacks a zip in memory: the files (directories omitted) with their paths
   * as in the archive, sorted. Throws UploadedFileError for anything unsafe,
   * corrupt, encrypted or too big.
   */
  unpack(bytes: Uint8Array, limits: ArchiveLimits): Promise<FileEntry[]>;
}

/** The CPU-bound part of a publish: unpack, parse, apply policies, validate, build what is pushed. */
export interface BundleJob {
  /** The zip. Handed over: the engine may take its buffer (detach it) to avoid a copy. */
  bytes: Uint8Array;
  maxUncompressedSize: number;
  policy: OrganizationPolicy;
  /** v1: the repository from the URL, which must equal the packageName. */
  repository?: string;
  /**
   * Also pack the valid bundle as the registry's blob (BundleWork's `packed`),
   * under `repository ?? packageName`: set for pushes, not for dry runs or bundle images.
   */
  pack?: boolean;
}

export interface BundleWork {
  /** packageName after the organization's suffix. */
  packageName: string;
  /** The archive's file paths, as unpacked. */
  extractedFiles: string[];
  /** Bytes inflated from the archive. */
  inflatedBytes: number;
  /** The validation verdict, kept rather than thrown: the use case decides at which step to report it. */
  verdict:
    | {
        ok: true;
        bundle: PreparedBundle;
        images?: BuiltBundleImages;
        /** The bundle packed for the registry, when the job was asked to and packing succeeded. */
        packed?: Uint8Array;
      }
    | { ok: false; error: unknown };
}

/**
 * Packs a prepared bundle into the blob the Registry pushes (for Quay: a
 * gzip'd tar under one top-level folder). Throws TypeError for files it
 * cannot pack (unsafe or clashing paths).
 */
export interface BundlePacker {
  pack(files: readonly FileEntry[], folder: string): Promise<Uint8Array>;
}

export interface BundleEngine {
  /**
   * Runs a BundleJob. Throws what unpacking and loading throw
   * (UploadedFileError, PackageValidationError), and ServiceBusyError when
   * too many jobs already wait.
   */
  prepare(job: BundleJob): Promise<BundleWork>;
}

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

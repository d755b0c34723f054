/**
 * An application registry kept in memory, with Quay's semantics: releases per
 * organization/repository, an existing release is refused, unknown packages are
 * "not found", and visibility is recorded. Used by tests and the embedded demo.
 */
import type { PushRequest, Registry, Token } from '../../application/ports.js';
import {
  QuayAuthorizationError,
  QuayPackageError,
  QuayPackageNotFoundError,
  ReleaseAlreadyExistsError,
} from '../../domain/errors.js';
import type { FileEntry } from '../../domain/files.js';
import { cannotRetrievePackage, pushFailed } from '../../domain/original-messages.js';

export interface StoredRelease {
  version: string;
  bundle: readonly FileEntry[];
}

interface StoredPackage {
  releases: Map<string, StoredRelease>;
  visibility: 'private' | 'public';
}

export interface InMemoryRegistryOptions {
  /** Who may act on an organization; the default accepts any non-empty token. */
  authorize?: (token: Token, organization: string) => boolean;
  /** Organization oauth tokens accepted by makePublic; the default accepts any non-empty one. */
  acceptOauthToken?: (oauthToken: string, organization: string) => boolean;
}

export class InMemoryRegistry implements Registry {
  private readonly packages = new Map<string, StoredPackage>();
  private readonly authorize: (token: Token, organization: string) => boolean;
  private readonly acceptOauthToken: (oauthToken: string, organization: string) => boolean;
  /** Set to a reason to make ping fail, as an unreachable Quay would. */
  unavailable: string | undefined;

  constructor(options: InMemoryRegistryOptions = {}) {
    this.authorize = options.authorize ?? ((token) => token.length > 0);
    this.acceptOauthToken = options.acceptOauthToken ?? ((token) => token.length > 0);
  }

  async releases(organization: string, repository: string, token: Token): Promise<string[] | undefined> {
    this.checkToken(
      token,
      organization,
      QuayAuthorizationError,
      cannotRetrievePackage(organization, repository),
    );
    const pkg = this.packages.get(key(organization, repository));
    return pkg ? [...pkg.releases.keys()] : undefined;
  }

  async push(request: PushRequest): Promise<void> {
    const k = key(request.organization, request.repository);
    // Quay's own words (CNR answers), after the original's prefix, as QuayRegistry reports them.
    this.checkToken(request.token, request.organization, QuayAuthorizationError, pushFailed(''));
    let pkg = this.packages.get(k);
    if (pkg?.releases.has(request.version)) {
      const message = `package exists already: ${k}@${request.version}`;
      throw new ReleaseAlreadyExistsError(
        request.version,
        `${pushFailed(message)} (release ${request.version} of ${k} already exists in Quay; releases cannot be overwritten)`,
        { error: { code: 'package-exists', message } },
      );
    }
    if (!pkg) {
      pkg = { releases: new Map(), visibility: 'private' };
      this.packages.set(k, pkg);
    }
    const bundle = request.bundle.map((f) => ({ path: f.path, data: f.data.slice() }));
    pkg.releases.set(request.version, { version: request.version, bundle });
  }

  async deleteRelease(
    organization: string,
    repository: string,
    version: string,
    token: Token,
  ): Promise<void> {
    this.checkToken(token, organization, QuayPackageError);
    const k = key(organization, repository);
    const pkg = this.packages.get(k);
    if (!pkg?.releases.delete(version)) {
      throw new QuayPackageNotFoundError(`Package ${k} has no release ${version} in Quay.`);
    }
  }

  async makePublic(organization: string, repository: string, oauthToken: string): Promise<void> {
    if (!this.acceptOauthToken(oauthToken, organization)) {
      throw new QuayPackageError(
        `Quay refused to change the visibility of ${key(organization, repository)}.`,
      );
    }
    const pkg = this.packages.get(key(organization, repository));
    if (!pkg)
      throw new QuayPackageError(`Repository ${key(organization, repository)} does not exist in Quay.`);
    pkg.visibility = 'public';
  }

  async ping(): Promise<void> {
    if (this.unavailable) throw new Error(this.unavailable);
  }

  /** Test and demo helpers: what the registry holds. */
  release(organization: string, repository: string, version: string): StoredRelease | undefined {
    return this.packages.get(key(organization, repository))?.releases.get(version);
  }

  visibility(organization: string, repository: string): 'private' | 'public' | undefined {
    return this.packages.get(key(organization, repository))?.visibility;
  }

  /** Seeds a release without a token (tests, demo). */
  seed(organization: string, repository: string, versions: readonly string[]): void {
    const k = key(organization, repository);
    const pkg = this.packages.get(k) ?? { releases: new Map(), visibility: 'private' as const };
    for (const version of versions) pkg.releases.set(version, { version, bundle: [] });
    this.packages.set(k, pkg);
  }

  /** Refuses a token as Quay does; `prefix` is the original's words for the call that was refused. */
  private checkToken(
    token: Token,
    organization: string,
    errorType: typeof QuayAuthorizationError | typeof QuayPackageError = QuayAuthorizationError,
    prefix = '',
  ): void {
    if (this.authorize(token, organization)) return;
    const message = `${prefix}Unauthorized access (Quay refused the token for organization ${organization}).`;
    if (errorType === QuayPackageError) throw new QuayPackageError(message);
    throw new QuayAuthorizationError(message, {
      error: { code: 'unauthorized', message: 'Unauthorized access' },
    });
  }
}

function key(organization: string, repository: string): string {
  return `${organization}/${repository}`;
}

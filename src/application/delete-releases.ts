/** DeleteReleases (SPEC §3 "Deleting"): one release as given, or every raw release of a repository. */
import {
  AuthorizationHeaderRequiredError,
  OmpsError,
  QuayPackageError,
  QuayPackageNotFoundError,
} from '../domain/errors.js';
import { packageNotFound } from '../domain/original-messages.js';
import type { Registry, Token } from './ports.js';

export interface DeleteCommand {
  organization: string;
  repository: string;
  /** Omitted = every release, conforming or not. */
  version?: string;
  token: Token;
}

export interface DeleteResult {
  organization: string;
  repo: string;
  deleted: string[];
}

export class DeleteReleases {
  constructor(private readonly deps: { registry: Registry }) {}

  async execute(command: DeleteCommand): Promise<DeleteResult> {
    if (!command.token) throw new AuthorizationHeaderRequiredError();
    const { organization, repository, token } = command;
    const { registry } = this.deps;
    const result = { organization, repo: repository };

    if (command.version !== undefined) {
      await registry.deleteRelease(organization, repository, command.version, token);
      return { ...result, deleted: [command.version] };
    }

    const releases = await registry.releases(organization, repository, token);
    if (releases === undefined) {
      throw new QuayPackageNotFoundError(packageNotFound(organization, repository));
    }
    // Every release is tried, even after a failure: the caller learns exactly what is left.
    const outcomes = await Promise.allSettled(
      releases.map((version) => registry.deleteRelease(organization, repository, version, token)),
    );
    const deleted: string[] = [];
    const failed: { version: string; error: unknown }[] = [];
    outcomes.forEach((outcome, i) => {
      const version = releases[i]!;
      if (outcome.status === 'fulfilled') deleted.push(version);
      else failed.push({ version, error: outcome.reason });
    });
    if (failed.length === 0) return { ...result, deleted };

    const only = failed[0]!.error;
    if (deleted.length === 0 && failed.length === 1 && only instanceof OmpsError) throw only;
    const reasons = failed
      .map((f) => `${f.version} (${f.error instanceof Error ? f.error.message : String(f.error)})`)
      .join(', ');
    throw new QuayPackageError(
      `Deleting releases of ${organization}/${repository} failed. Deleted: [${deleted.join(', ')}]. Not deleted: ${reasons}.`,
    );
  }
}

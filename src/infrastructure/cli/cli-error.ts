/** A failure the command line reports itself, with its exit code. */
export const EXIT_OK = 0;
/** The bundle is invalid, or the registry or the service refused. */
export const EXIT_REFUSED = 1;
/** Bad arguments, unreadable or unwritable files, an unreachable service. */
export const EXIT_USAGE = 2;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: typeof EXIT_REFUSED | typeof EXIT_USAGE,
    /** Bad arguments: the command's --help is suggested. */
    readonly badArguments = false,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(message, EXIT_USAGE, true);

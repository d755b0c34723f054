/** Package rules of operator-courier 2.1.11 (messages verbatim). */
import { get, has, type ValidationLog } from './validation-log.js';

export interface PackageRuleOptions {
  /** Flat bundles only: names of the bundle's CSVs, each channel's currentCSV must be one of them. */
  csvNames?: ReadonlySet<unknown>;
  /** v1: the repository named in the URL. */
  repository?: string;
}

export function validatePackage(pkg: unknown, log: ValidationLog, options: PackageRuleOptions): void {
  // operator-courier compares the repository only when these rules passed; like it,
  // a channel without currentCSV is reported but does not count as a failure here.
  let valid = true;
  const fail = (message: string) => {
    log.error(message);
    valid = false;
  };

  if (!has(pkg, 'packageName')) fail('packageName not defined.');

  if (has(pkg, 'channels')) {
    const channels = Array.isArray(pkg.channels) ? pkg.channels : [];
    if (channels.length === 0) {
      fail('no package channels defined.');
    } else {
      for (const channel of channels) {
        if (!has(channel, 'name')) fail('package channel.name not defined.');
        if (!has(channel, 'currentCSV')) {
          log.error('package channel.currentCSV not defined.');
        } else if (options.csvNames && !options.csvNames.has(channel.currentCSV)) {
          fail(`channel.currentCSV ${String(channel.currentCSV)} is not included in list of csvs`);
        }
      }
    }
  } else {
    fail('package channels not defined.');
  }

  if (valid && options.repository !== undefined) {
    const packageName = get(pkg, 'packageName');
    if (options.repository !== packageName) {
      log.error(
        `The packageName (${String(packageName)}) in bundle does not match repository name (${options.repository}) provided as command line argument.`,
      );
    }
  }
}

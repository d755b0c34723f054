/** Building and validating a bundle read from disk: the service's engine, with no organization policy. */
import { PackageValidationError, type ValidationInfo } from '../../domain/errors.js';
import type { FileEntry } from '../../domain/files.js';
import { loadBundle, type PreparedBundle, prepareBundle } from '../../domain/manifest/index.js';
import { DEFAULT_POLICY } from '../../domain/organization-policy.js';
import {
  isMalformedYaml,
  isValidationInfo,
  printFindings,
  printMalformedYaml,
  writeValidationOutput,
} from './report.js';

export type Checked =
  | { readonly valid: true; readonly prepared: PreparedBundle; readonly info: ValidationInfo }
  | { readonly valid: false; readonly error: PackageValidationError; readonly info?: ValidationInfo };

export function checkBundle(
  files: readonly FileEntry[],
  options: { repository?: string; uiValidateIo?: boolean },
): Checked {
  try {
    const prepared = prepareBundle(loadBundle(files, DEFAULT_POLICY), options);
    return { valid: true, prepared, info: prepared.validationInfo };
  } catch (error) {
    if (!(error instanceof PackageValidationError)) throw error;
    // A file that is not YAML stops courier before validation: nothing to report but the file.
    if (isMalformedYaml(error.message, error.validationInfo)) return { valid: false, error };
    const info = isValidationInfo(error.validationInfo) ? error.validationInfo : undefined;
    return info ? { valid: false, error, info } : { valid: false, error };
  }
}

/** operator-courier's verdict on an invalid bundle, printed last. */
export const INVALID_BUNDLE = 'Resulting bundle is invalid, input yaml is improperly defined.';

/**
 * Writes `--validation-output` (when given) and prints the findings, then the
 * verdict when the bundle is invalid.
 */
export async function reportChecked(checked: Checked, validationOutput: string | undefined): Promise<void> {
  if (checked.info) {
    if (validationOutput) await writeValidationOutput(validationOutput, checked.info);
    printFindings(checked.info);
  } else if (!checked.valid) {
    if (isMalformedYaml(checked.error.message, checked.error.validationInfo)) {
      printMalformedYaml(checked.error.validationInfo);
      return; // courier stops at the file, before any verdict on the bundle
    }
    process.stderr.write(`ERROR: ${checked.error.message}\n`);
  }
  if (!checked.valid) process.stderr.write(`${INVALID_BUNDLE}\n`);
}

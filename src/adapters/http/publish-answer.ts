/**
 * The one place a publish's result gets SPEC §2's wire names: the use case
 * speaks camelCase (`extractedFiles`, `validationInfo`, ...), the JSON answer
 * keeps the original service's snake_case (`extracted_files`,
 * `validation_info`, ...). Fields already spelt the same on both sides
 * (`images`, ...) pass through as they are.
 */
import type { PublishResult } from '../../application/publish-release.js';

export function publishAnswer(result: PublishResult) {
  const { organization, repo, version, nvr, extractedFiles, dryRun, validationInfo, filesToPush, ...rest } =
    result;
  return {
    organization,
    repo,
    version,
    ...(nvr !== undefined ? { nvr } : {}),
    extracted_files: extractedFiles,
    ...(dryRun ? { dry_run: true as const } : {}),
    ...(validationInfo !== undefined ? { validation_info: validationInfo } : {}),
    ...(filesToPush !== undefined ? { files_to_push: filesToPush } : {}),
    ...rest,
  };
}

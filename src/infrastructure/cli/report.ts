/** How the command line shows what went wrong: validation findings, service and registry errors. */
import type { ValidationInfo } from '../../domain/errors.js';
import { COURIER_BAD_YAML, MALFORMED_YAML } from '../../domain/original-messages.js';
import { writeText } from './files.js';

export function isValidationInfo(value: unknown): value is ValidationInfo {
  return (
    value !== null &&
    typeof value === 'object' &&
    Array.isArray((value as ValidationInfo).errors) &&
    Array.isArray((value as ValidationInfo).warnings)
  );
}

/** `<field>: <JSON>` on stderr for an error's upstream answer (`quay_response`, …), unless it is empty. */
export function printUpstreamAnswer(field: string, value: unknown): void {
  if (value && typeof value === 'object' && Object.keys(value).length > 0) {
    process.stderr.write(`${field}: ${JSON.stringify(value)}\n`);
  }
}

/** `ERROR: …` / `WARNING: …` lines on stderr, as operator-courier logs them. */
export function printFindings(info: ValidationInfo): void {
  for (const error of info.errors) process.stderr.write(`ERROR: ${error}\n`);
  for (const warning of info.warnings) process.stderr.write(`WARNING: ${warning}\n`);
}

/** A file that is not YAML: operator-courier's line, then which file, where and why on the next line. */
export function isMalformedYaml(message: string, info: unknown): info is ValidationInfo {
  return message === MALFORMED_YAML && isValidationInfo(info);
}

export function printMalformedYaml(info: ValidationInfo): void {
  process.stderr.write(`ERROR: ${COURIER_BAD_YAML}\n`);
  for (const detail of info.errors) process.stderr.write(`${detail}\n`);
}

/** `--validation-output`: the JSON operator-courier writes (Python's json.dumps layout, ASCII only). */
export async function writeValidationOutput(path: string, info: ValidationInfo): Promise<void> {
  const list = (items: readonly string[]) => `[${items.map(pythonJsonString).join(', ')}]`;
  await writeText(path, `{"warnings": ${list(info.warnings)}, "errors": ${list(info.errors)}}\n`);
}

function pythonJsonString(value: string): string {
  return JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

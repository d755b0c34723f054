/**
 * The original (Python) OMPS's messages (SPEC §2 "Messages"). Release pipelines
 * match on them, so each of our messages starts with the original's words,
 * verbatim; our own detail may follow. Every adapter that reports one of these
 * cases — the real one and its in-memory twin — builds it here.
 */

// Upload
export const NO_FILE_FIELD = 'No field "file" in uploaded data';
export const NO_SELECTED_FILE = 'No selected "file" in uploaded data';
/** The original printed its allowed extensions as a Python list. */
export const wrongExtension = (extension: string) =>
  `Uploaded file extension "${extension}" is not any of ['.zip']`;

// Archive (Python's zipfile words)
export const NOT_A_ZIP = 'File is not a zip file';
export const encryptedEntry = (quotedName: string) =>
  `File ${quotedName} is encrypted, password required for extraction`;
export const TOO_BIG_UNCOMPRESSED = 'Uncompressed archive is larger than limit';
export const crcFailed = (name: string) => `CRC check failed for file ${name} in archive`;

// Bundle
export const NO_PACKAGE_NAME = 'Could not find packageName in manifests.';
/** How the original began whatever operator-courier refused. */
export const COURIER_FAILED = 'Failed to push manifest:';
export const INVALID_BUNDLE = `${COURIER_FAILED} Resulting bundle is invalid, input yaml is improperly defined.`;
/** operator-courier's words for a file it cannot parse (OpCourierBadYaml), as the original answered them. */
export const COURIER_BAD_YAML = 'Courier requires valid input YAML files';
export const MALFORMED_YAML = `${COURIER_FAILED} ${COURIER_BAD_YAML}`;

// Quay
/** A refused push: the original's prefix, then Quay's own `error.message`. */
export const pushFailed = (quayMessage: string) => `${COURIER_FAILED} ${quayMessage}`;
export const cannotRetrievePackage = (organization: string, repository: string) =>
  `Cannot retrieve information about package ${organization}/${repository}: `;
export const packageNotFound = (organization: string, repository: string) =>
  `Package ${organization}/${repository} not found`;

// Koji
export const nvrNotFound = (nvr: string) => `NVR not found: ${nvr}`;
export const notAnOperatorImage = (nvr: string) => `Not an operator image: ${nvr}`;
export const archiveNotInBuild = (archive: string, nvr: string) =>
  `Expected archive '${archive}' with manifests not found in build: ${nvr}`;

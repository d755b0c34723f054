/**
 * Whether a layer's files are a `registry+v1` bundle (SPEC §10, §11): a
 * `metadata/annotations.yaml` whose `annotations` name at least one
 * `operators.operatorframework.io.bundle.*` key. The files kept are the
 * bundle's (`manifests/…`, `metadata/…`): what rendering reads.
 */
import { BUNDLE_ANNOTATION } from '../bundle-image/registry-bundles.js';
import type { FileEntry } from '../files.js';
import { decodeUtf8, parseYaml } from '../manifest/yaml-parse.js';
import { isRecord } from '../values.js';

const ANNOTATIONS_FILE = 'metadata/annotations.yaml';
const BUNDLE_PREFIX = BUNDLE_ANNOTATION.package.replace(/package\.v1$/, '');

/** The bundle's files, sorted; a reason (to follow "not a bundle image: ") when the files are not a bundle. */
export function bundleFiles(files: readonly FileEntry[]): FileEntry[] | string {
  const annotations = files.find((f) => f.path === ANNOTATIONS_FILE);
  if (!annotations) return `it has no ${ANNOTATIONS_FILE}`;
  let document: unknown;
  try {
    document = parseYaml(ANNOTATIONS_FILE, decodeUtf8(ANNOTATIONS_FILE, annotations.data));
  } catch (error) {
    return (error as Error).message;
  }
  const values = isRecord(document) && isRecord(document.annotations) ? document.annotations : {};
  if (!Object.keys(values).some((key) => key.startsWith(BUNDLE_PREFIX)))
    return `its ${ANNOTATIONS_FILE} has no ${BUNDLE_PREFIX}* annotations`;
  return files
    .filter((f) => f.path.startsWith('manifests/') || f.path.startsWith('metadata/'))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

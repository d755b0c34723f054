/**
 * The Node.js the service and `omps` need, checked before any work: node:zlib's
 * crc32 (Node 20.15+ in the 20 line, 22.2+), which checks every archive entry.
 * An older runtime stops at start with this message, not at the first upload.
 */
import zlib from 'node:zlib';

/** package.json `engines.node`. */
export const SUPPORTED_NODE = '^20.15.0 || >=22.2.0';

/** Why this runtime cannot run OMPS, or undefined when it can. */
export function runtimeProblem(
  zlibModule: { crc32?: unknown } = zlib,
  version: string = process.versions.node,
): string | undefined {
  if (typeof zlibModule.crc32 === 'function') return undefined;
  return `Node.js ${version} is too old for OMPS, which needs zlib.crc32 (Node.js 20.15 or later in the 20 line, or 22.2 or later; engines: ${SUPPORTED_NODE}).`;
}

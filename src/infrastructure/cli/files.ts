/**
 * The only disk access of the command line: a bundle is read from a folder or
 * a `.zip` (unpacked in memory by the service's own archive adapter, with the
 * same limits), and a tree is written to a folder.
 */
import { lstat, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { nodeZipCodecs } from '../../adapters/node-native/node-zip-codecs.js';
import { ZipArchive } from '../../adapters/zip/zip-archive.js';
import { byPath, type FileEntry, rootedFiles } from '../../domain/files.js';
import { unsafePathReason } from '../../domain/path-segment.js';
import { CliError, EXIT_USAGE } from './cli-error.js';

/** The service's default `zipfile_max_uncompressed_size`, for zips read from disk too. */
async function maxUncompressed(): Promise<number> {
  // Loaded here only: the configuration schema is slow to load, and folders do not need it.
  const { parseConfig } = await import('../config.js');
  return parseConfig({}).zipfileMaxUncompressedSize;
}

export const isZipPath = (path: string) => /\.zip$/i.test(path);

function ioError(action: string, path: string, error: unknown): CliError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === 'ENOENT' ? 'no such file or directory' : (error as Error).message;
  return new CliError(`cannot ${action} ${path}: ${reason}`, EXIT_USAGE);
}

async function statOf(path: string): Promise<Awaited<ReturnType<typeof stat>>> {
  try {
    return await stat(path);
  } catch (error) {
    throw ioError('read', path, error);
  }
}

/** A zip's bytes, as they are. */
export async function readZipBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw ioError('read', path, error);
  }
}

/** The bundle's files, paths relative to its root, sorted: from a folder, or from a zip. */
export async function readBundle(source: string): Promise<FileEntry[]> {
  const info = await statOf(source);
  if (info.isFile() && isZipPath(source)) {
    const files = await new ZipArchive(nodeZipCodecs).unpack(await readZipBytes(source), {
      maxUncompressedSize: await maxUncompressed(),
    });
    return rootedFiles(files);
  }
  if (!info.isDirectory()) throw new CliError(`${source} is neither a folder nor a .zip file`, EXIT_USAGE);
  try {
    return await readFolder(source);
  } catch (error) {
    throw error instanceof CliError ? error : ioError('read', source, error);
  }
}

/** A folder's files (paths relative to it, sorted); a path that is not a folder is a usage error. */
export async function readFolderFiles(path: string): Promise<FileEntry[]> {
  const info = await statOf(path);
  if (!info.isDirectory()) throw new CliError(`"${path}" is not a directory`, EXIT_USAGE);
  try {
    return await readFolder(path);
  } catch (error) {
    throw ioError('read', path, error);
  }
}

async function readFolder(root: string): Promise<FileEntry[]> {
  const out: FileEntry[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const full = join(dir, entry.name);
      // Like os.walk: symbolic links to folders are not followed; links to files are read, broken ones skipped.
      const isFile = entry.isFile() || (entry.isSymbolicLink() && (await linkedFile(full)));
      if (entry.isDirectory()) await walk(full);
      else if (isFile) {
        out.push({
          path: relative(root, full).split(sep).join('/'),
          data: new Uint8Array(await readFile(full)),
        });
      }
    }
  };
  await walk(root);
  return out.sort(byPath);
}

async function linkedFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Writes the files under `root` (created if needed), replacing files of the same name.
 * Never anywhere else: a path that would leave `root` is refused, and so is a symbolic link
 * inside `root` on the way to a file (it could point anywhere) — before anything is written.
 */
export async function writeTree(root: string, files: readonly FileEntry[]): Promise<void> {
  const base = resolve(root);
  const targets = files.map((file) => {
    const unsafe = unsafePathReason(file.path);
    const target = resolve(base, ...file.path.split('/'));
    const inside = relative(base, target);
    if (
      unsafe !== undefined ||
      inside === '' ||
      inside === '..' ||
      inside.startsWith(`..${sep}`) ||
      isAbsolute(inside)
    ) {
      throw new CliError(`refusing to write ${JSON.stringify(file.path)} outside ${root}`, EXIT_USAGE);
    }
    return { target, segments: inside.split(sep), data: file.data };
  });
  try {
    await mkdir(base, { recursive: true });
    for (const { segments } of targets) await refuseLinks(root, base, segments);
    for (const { target, data } of targets) {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, data);
    }
  } catch (error) {
    throw error instanceof CliError ? error : ioError('write', root, error);
  }
}

async function refuseLinks(root: string, base: string, segments: readonly string[]): Promise<void> {
  let path = base;
  for (const segment of segments) {
    path = join(path, segment);
    let info: Awaited<ReturnType<typeof lstat>>;
    try {
      info = await lstat(path);
    } catch {
      return; // not there yet: created by us, as a folder or a file
    }
    if (info.isSymbolicLink()) {
      throw new CliError(`refusing to write through the symbolic link ${path} in ${root}`, EXIT_USAGE);
    }
  }
}

export async function writeText(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (error) {
    throw ioError('write', path, error);
  }
}

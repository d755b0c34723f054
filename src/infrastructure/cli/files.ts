/**
 * The only disk access of the command line: a bundle is read from a folder or
 * a `.zip` (unpacked in memory by the service's own archive adapter, with the
 * same limits), and a tree is written to a folder.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { FflateArchive } from '../../adapters/fflate/fflate-archive.js';
import { nodeZipCodecs } from '../../adapters/node-native/node-zip-codecs.js';
import { type FileEntry, rootedFiles } from '../../domain/files.js';
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
    const files = await new FflateArchive(nodeZipCodecs).unpack(await readZipBytes(source), {
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
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function linkedFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Writes the files under `root` (created if needed), replacing files of the same name. */
export async function writeTree(root: string, files: readonly FileEntry[]): Promise<void> {
  try {
    await mkdir(root, { recursive: true });
    for (const file of files) {
      const target = join(root, ...file.path.split('/'));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.data);
    }
  } catch (error) {
    throw ioError('write', root, error);
  }
}

export async function writeText(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (error) {
    throw ioError('write', path, error);
  }
}

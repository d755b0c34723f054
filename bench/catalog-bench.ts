/**
 * The `catalog` part of `npm run bench` (SPEC §11, "Speed"): what keeping a
 * File-Based Catalog current costs a publish when the catalog is big.
 *
 * Seeding 1000 bundle images through the service's HTTP API would take
 * minutes, so they are built here, in-process, by the same domain code the
 * service runs (loadBundle → registryBundles → buildOciImage for the bundle
 * images; renderBundle → assemblePackage → replacePackage → buildCatalogImage
 * for the catalog) and stored straight into the OCI registry emulator's
 * state. The service then finds a registry holding `packages` × `bundles`
 * bundle images and their catalog, exactly as if it had published them.
 */

import { fflateGzip } from '../src/adapters/fflate/fflate-gzip.js';
import { zlibLayerCodec } from '../src/adapters/node-native/zlib-layer-codec.js';
import { buildOciImage, type OciBlob } from '../src/domain/bundle-image/oci-image.js';
import { registryBundles } from '../src/domain/bundle-image/registry-bundles.js';
import { assemblePackage } from '../src/domain/catalog/assemble.js';
import { replacePackage } from '../src/domain/catalog/catalog-folder.js';
import type { RenderedBundle } from '../src/domain/catalog/fbc.js';
import { renderBundle } from '../src/domain/catalog/render-bundle.js';
import { buildCatalogImage } from '../src/domain/catalog-image/catalog-image.js';
import type { FileEntry } from '../src/domain/files.js';
import { loadBundle } from '../src/domain/manifest/index.js';
import { SAMPLE_OPERATOR_FILES } from '../src/infrastructure/demo/sample-operator.js';
import type { OciRegistryState } from '../test/emulators/oci-registry-emulator.js';

const CSV = SAMPLE_OPERATOR_FILES['hello-operator.v1.0.0.clusterserviceversion.yaml']!;
const PACKAGE = SAMPLE_OPERATOR_FILES['hello.package.yaml']!;
const CRD = SAMPLE_OPERATOR_FILES['greetings.crd.yaml']!;
const encoder = new TextEncoder();

/** Package `n`'s name: `op007-operator` (the sample operator renamed, its CRD's group too). */
export const packageName = (n: number) => `op${String(n).padStart(3, '0')}-operator`;

/** A version of the package: `1.0.<i>`, replacing `1.0.<i-1>`. */
export const versionOf = (i: number) => `1.0.${i}`;

/**
 * The upload of package `name` holding versions `from`..`to` (a replaces chain; nested
 * folders when more than one), its channel's head the last one: what a team would zip.
 */
export function operatorFiles(name: string, from: number, to: number): Record<string, string> {
  const short = name.replace(/-operator$/, '');
  const rename = (text: string) => text.replaceAll('hello', short);
  const csvName = (i: number) => `${name}.v${versionOf(i)}`;
  const files: Record<string, string> = {
    [`${short}.package.yaml`]: rename(PACKAGE).replace(`${name}.v1.0.0`, csvName(to)),
  };
  for (let i = from; i <= to; i++) {
    const folder = from === to ? '' : `${versionOf(i)}/`;
    let csv = rename(CSV)
      .replaceAll(`${name}.v1.0.0`, csvName(i))
      .replaceAll(':v1.0.0', `:v${versionOf(i)}`)
      .replace('  version: 1.0.0\n', `  version: ${versionOf(i)}\n`);
    if (i > 0) csv = csv.replace('spec:\n', `spec:\n  replaces: ${csvName(i - 1)}\n`);
    files[`${folder}${name}.v${versionOf(i)}.clusterserviceversion.yaml`] = csv;
    files[`${folder}greetings.crd.yaml`] = rename(CRD);
  }
  return files;
}

export interface SeededCatalog {
  /** Bundle images stored (per organization). */
  images: number;
  /** The catalog layer's size, gzip'd. */
  layerBytes: number;
  seconds: number;
}

/**
 * Stores `packages` × `bundles` bundle images in `bundleOrg`'s repositories (and, the same
 * images, in each of `alsoIn`'s), and the catalog of them under `<bundleOrg>/catalog:latest`.
 * `host`: the registry's host as the service names images (`127.0.0.1:<port>`).
 */
export async function seedCatalog(
  state: OciRegistryState,
  host: string,
  options: { bundleOrg: string; alsoIn: readonly string[]; packages: number; bundles: number },
): Promise<SeededCatalog> {
  const started = performance.now();
  let configs: FileEntry[] = [];
  let images = 0;
  for (let n = 0; n < options.packages; n++) {
    const name = packageName(n);
    const files = Object.entries(operatorFiles(name, 0, options.bundles - 1)).map(([path, text]) => ({
      path,
      data: encoder.encode(text),
    }));
    const loaded = loadBundle(files, { public: false, replaceRegistry: [], csvAnnotations: [] });
    const rendered: RenderedBundle[] = [];
    for (const bundle of registryBundles(loaded).bundles) {
      const image = await buildOciImage(bundle.files, bundle.annotations, fflateGzip);
      const blobs = [image.config, ...image.layers];
      for (const org of [options.bundleOrg, ...options.alsoIn]) {
        state.seed(`${org}/${name}-bundle`, blobs, [image.manifest], bundle.tag);
      }
      rendered.push(
        renderBundle(bundle.files, {
          image: `${host}/${options.bundleOrg}/${name}-bundle@${image.manifest.digest}`,
          migrateLevel: 'bundle-object-to-csv-metadata',
        }),
      );
      images++;
    }
    configs = replacePackage(configs, name, assemblePackage(name, rendered, 'replaces'));
  }
  const catalog = await buildCatalogImage(configs, zlibLayerCodec);
  const layer = catalog.blobs.find((b: OciBlob) => b.mediaType.includes('layer'));
  state.seed(`${options.bundleOrg}/catalog`, catalog.blobs, [...catalog.manifests, catalog.top], 'latest');
  return {
    images,
    layerBytes: layer?.data.byteLength ?? 0,
    seconds: (performance.now() - started) / 1000,
  };
}

/** `omps_catalog_update_duration_seconds`' sum and count (every outcome) from a /metrics text. */
export function catalogUpdateSeconds(metrics: string): { sum: number; count: number } {
  let sum = 0;
  let count = 0;
  for (const line of metrics.split('\n')) {
    const m = /^omps_catalog_update_duration_seconds_(sum|count)\{[^}]*\} (\S+)$/.exec(line);
    if (m?.[1] === 'sum') sum += Number(m[2]);
    if (m?.[1] === 'count') count += Number(m[2]);
  }
  return { sum, count };
}

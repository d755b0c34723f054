/**
 * What `opm render` does to every config it renders, FBC folders included
 * (`alpha/action/render.go` Run): each bundle's `olm.bundle.object` and
 * `olm.csv.metadata` properties moved last, its relatedImages sorted by
 * image, then the migration — a bundle with an image whose bundle objects
 * hold a CSV gets one `olm.csv.metadata` instead of them. Bundles rendered by
 * renderBundle already have this shape; an FBC folder read back may not.
 */
import { fromBase64 } from '../base64.js';
import { decodeUtf8, parseYaml } from '../manifest/yaml-parse.js';
import { isRecord } from '../values.js';
import { csvMetadata } from './csv-metadata.js';
import { compareStrings } from './declcfg-write.js';
import type { DeclarativeConfig, FbcBundle, Property } from './fbc.js';
import { KUBE_YAML_SCHEMA } from './kube-yaml.js';
import { PROPERTY } from './properties.js';
import { CSV_METADATA_MIGRATION, type MigrateLevel } from './render-bundle.js';
import { RenderError } from './render-error.js';

export function finishRendered(config: DeclarativeConfig, migrateLevel?: MigrateLevel): DeclarativeConfig {
  return { ...config, bundles: config.bundles.map((b) => finishBundle(b, migrateLevel)) };
}

const isObject = (p: Property) => p.type === PROPERTY.bundleObject || p.type === PROPERTY.csvMetadata;

function finishBundle(bundle: FbcBundle, migrateLevel?: MigrateLevel): FbcBundle {
  let properties = [...bundle.properties.filter((p) => !isObject(p)), ...bundle.properties.filter(isObject)];
  if (migrateLevel === CSV_METADATA_MIGRATION && bundle.image !== '') {
    const csv = csvOf(bundle);
    if (csv && !properties.some((p) => p.type === PROPERTY.csvMetadata)) {
      properties = [
        ...properties.filter((p) => p.type !== PROPERTY.bundleObject),
        { type: PROPERTY.csvMetadata, value: csvMetadata(csv) },
      ];
    }
  }
  const out: FbcBundle = { ...bundle, properties };
  if (bundle.relatedImages) {
    out.relatedImages = [...bundle.relatedImages].sort((a, b) => compareStrings(a.image, b.image));
  }
  return out;
}

/** The first bundle object that is a ClusterServiceVersion (opm's CsvJSON). */
function csvOf(bundle: FbcBundle): Record<string, unknown> | undefined {
  for (const [i, p] of bundle.properties.entries()) {
    if (p.type !== PROPERTY.bundleObject) continue;
    const where = `bundle ${bundle.name}: the olm.bundle.object at index ${i}`;
    const data = isRecord(p.value) ? p.value.data : undefined;
    let object: unknown;
    try {
      object = parseYaml(where, decodeUtf8(where, fromBase64(String(data ?? ''))), KUBE_YAML_SCHEMA);
    } catch (error) {
      throw new RenderError(`${where} cannot be read: ${(error as Error).message}`, { cause: error });
    }
    if (isRecord(object) && object.kind === 'ClusterServiceVersion') return object;
  }
  return undefined;
}

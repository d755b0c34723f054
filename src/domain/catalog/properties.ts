/**
 * operator-registry's `property.Parse`: the property types it knows are read
 * into their Go structs (so a wrong type is an error with Go's text), others
 * kept as they are. What validation needs from a bundle's properties.
 */

import { fromBase64 } from '../base64.js';
import type { Property } from './fbc.js';
import { arr, field, obj, str, topObject, typeError } from './go-struct.js';

export interface PackageProperty {
  packageName: string;
  version: string;
  release: string;
}

export interface ParsedProperties {
  packages: PackageProperty[];
  bundleObjects: number;
}

export const PROPERTY = {
  package: 'olm.package',
  packageRequired: 'olm.package.required',
  gvk: 'olm.gvk',
  gvkRequired: 'olm.gvk.required',
  bundleObject: 'olm.bundle.object',
  csvMetadata: 'olm.csv.metadata',
  channel: 'olm.channel',
} as const;

/** property.CSVMetadata's list and object fields, with their Go types (for the error text). */
const CSV_METADATA_LISTS = [
  ['installModes', '[]v1alpha1.InstallMode'],
  ['keywords', '[]string'],
  ['links', '[]v1alpha1.AppLink'],
  ['maintainers', '[]v1alpha1.Maintainer'],
  ['nativeAPIs', '[]v1.GroupVersionKind'],
] as const;
const CSV_METADATA_OBJECTS = [
  ['annotations', 'map[string]string'],
  ['labels', 'map[string]string'],
  ['apiServiceDefinitions', 'v1alpha1.APIServiceDefinitions'],
  ['crdDescriptions', 'v1alpha1.CustomResourceDefinitions'],
  ['provider', 'v1alpha1.AppLink'],
] as const;

/** Throws `parse property[i] of type "t": <Go's error>` like property.ParseError. */
export function parseProperties(properties: readonly Property[]): ParsedProperties {
  const out: ParsedProperties = { packages: [], bundleObjects: 0 };
  properties.forEach((p, i) => {
    try {
      switch (p.type) {
        case PROPERTY.package: {
          const v = topObject(p.value, 'property.Package');
          out.packages.push({
            packageName: str(v, 'packageName', 'Package.packageName'),
            version: str(v, 'version', 'Package.version'),
            release: str(v, 'release', 'Package.release'),
          });
          break;
        }
        case PROPERTY.packageRequired: {
          const v = topObject(p.value, 'property.PackageRequired');
          str(v, 'packageName', 'PackageRequired.packageName');
          str(v, 'versionRange', 'PackageRequired.versionRange');
          break;
        }
        case PROPERTY.gvk:
        case PROPERTY.gvkRequired: {
          const t = p.type === PROPERTY.gvk ? 'GVK' : 'GVKRequired';
          const v = topObject(p.value, `property.${t}`);
          for (const f of ['group', 'kind', 'version']) str(v, f, `${t}.${f}`);
          break;
        }
        case PROPERTY.bundleObject: {
          const v = topObject(p.value, 'property.BundleObject');
          const data = field(v, 'data');
          if (data !== undefined && data !== null) {
            if (typeof data !== 'string') throw typeError(data, 'BundleObject.data', '[]uint8');
            try {
              fromBase64(data);
            } catch {
              throw new Error('illegal base64 data at input byte 0');
            }
          }
          out.bundleObjects++;
          break;
        }
        case PROPERTY.csvMetadata: {
          const v = topObject(p.value, 'property.CSVMetadata');
          for (const f of ['description', 'displayName', 'maturity', 'minKubeVersion'])
            str(v, f, `CSVMetadata.${f}`);
          for (const [f, goType] of CSV_METADATA_LISTS) arr(field(v, f), `CSVMetadata.${f}`, goType);
          for (const [f, goType] of CSV_METADATA_OBJECTS) obj(field(v, f), `CSVMetadata.${f}`, goType);
          break;
        }
        case PROPERTY.channel: {
          const v = topObject(p.value, 'property.Channel');
          str(v, 'channelName', 'Channel.channelName');
          break;
        }
        default:
          break;
      }
    } catch (error) {
      throw new Error(`parse property[${i}] of type ${JSON.stringify(p.type)}: ${(error as Error).message}`);
    }
  });
  return out;
}

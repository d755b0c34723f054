/**
 * The flat push format (operator-courier's format_bundle): one `bundle.yaml`
 * whose `data` maps customResourceDefinitions, clusterServiceVersions and
 * packages to YAML strings, block literals holding the YAML list of those
 * objects ('' when there are none). Inside CSVs, `metadata.annotations.alm-examples`
 * and `spec.description` are block literals too.
 */
import type { TextPart } from '../text-codec.js';
import { isRecord } from '../values.js';
import { LiteralString, yamlAsBlockLiteralParts } from './yaml-emit.js';

export interface FlatBundleContent {
  readonly crds: readonly unknown[];
  readonly csvs: readonly unknown[];
  readonly packages: readonly unknown[];
}

/** The text in parts (see emitYamlParts): a multi-MB scalar is never copied into one string. */
export function flatBundleParts(content: FlatBundleContent): TextPart[] {
  const section = (items: readonly unknown[]): TextPart[] =>
    items.length === 0 ? ["''\n"] : yamlAsBlockLiteralParts(items, '    ');
  return [
    'data:\n  customResourceDefinitions: ',
    ...section(content.crds),
    '  clusterServiceVersions: ',
    ...section(content.csvs.map(withLiterals)),
    '  packages: ',
    ...section(content.packages),
  ];
}

type Obj = Record<string, unknown>;

const isObj = isRecord;

/** A shallow copy of the CSV whose alm-examples and spec.description are marked as block literals. */
export function withLiterals(csv: unknown): unknown {
  if (!isObj(csv)) return csv;
  const copy: Obj = { ...csv };
  const metadata = csv.metadata;
  if (
    isObj(metadata) &&
    isObj(metadata.annotations) &&
    typeof metadata.annotations['alm-examples'] === 'string'
  ) {
    const annotations = {
      ...metadata.annotations,
      'alm-examples': new LiteralString(metadata.annotations['alm-examples']),
    };
    copy.metadata = { ...metadata, annotations };
  }
  const spec = csv.spec;
  if (isObj(spec) && typeof spec.description === 'string') {
    copy.spec = { ...spec, description: new LiteralString(spec.description) };
  }
  return copy;
}

/**
 * finishRendered: what opm render's Run does to an FBC folder's bundles
 * (render.go: moveBundleObjectsToEndOfPropertySlices, relatedImages sorted,
 * then the migration, which needs an image and a CSV among the objects).
 */
import { describe, expect, it } from 'vitest';
import type { FbcBundle } from '../../../src/domain/catalog/fbc.js';
import { emptyConfig } from '../../../src/domain/catalog/fbc.js';
import { CSV_METADATA_MIGRATION, RenderError } from '../../../src/domain/catalog/render-bundle.js';
import { finishRendered } from '../../../src/domain/catalog/render-config.js';
import { bundleObject, GADGET_CRD_JSON, gadgetCsv } from '../../support/catalog-bundles.js';
import { thrown } from '../../support/manifest-builders.js';

const PACKAGE = { type: 'olm.package', value: { packageName: 'gadget', version: '0.2.0' } };
const GVK = { type: 'olm.gvk', value: { group: 'test.gadget', kind: 'Gadget', version: 'v1' } };

function bundle(
  image: string,
  objects = [bundleObject(JSON.stringify(gadgetCsv())), bundleObject(GADGET_CRD_JSON)],
): FbcBundle {
  return {
    schema: 'olm.bundle',
    name: 'gadget.v0.2.0',
    package: 'gadget',
    image,
    properties: [objects[0]!, PACKAGE, ...objects.slice(1), GVK],
    relatedImages: [
      { name: 'b', image: 'registry.example.com/z:1' },
      { name: 'a', image: 'registry.example.com/a:1' },
    ],
  };
}
const finish = (b: FbcBundle, migrate = false) =>
  finishRendered({ ...emptyConfig(), bundles: [b] }, migrate ? CSV_METADATA_MIGRATION : undefined)
    .bundles[0]!;

describe('finishRendered', () => {
  it('moves bundle objects last (in their order) and sorts relatedImages by image', () => {
    const done = finish(bundle('x'));
    expect(done.properties.map((p) => p.type)).toEqual([
      'olm.package',
      'olm.gvk',
      'olm.bundle.object',
      'olm.bundle.object',
    ]);
    expect(done.relatedImages?.map((r) => r.name)).toEqual(['a', 'b']);
  });

  it('migrates a bundle with an image to one olm.csv.metadata', () => {
    const done = finish(bundle('registry.example.com/gadget-bundle@sha256:1'), true);
    expect(done.properties.map((p) => p.type)).toEqual(['olm.package', 'olm.gvk', 'olm.csv.metadata']);
    expect(done.properties[2]!.value).toMatchObject({ displayName: 'Gadget Operator' });
  });

  it('leaves bundles without an image, or without a CSV object, with their objects', () => {
    expect(finish(bundle(''), true).properties.filter((p) => p.type === 'olm.bundle.object')).toHaveLength(2);
    const crdOnly = bundle('x', [bundleObject(GADGET_CRD_JSON)]);
    expect(finish(crdOnly, true).properties.map((p) => p.type)).toEqual([
      'olm.package',
      'olm.gvk',
      'olm.bundle.object',
    ]);
  });

  it('refuses a bundle object that is not base64 of a manifest', () => {
    const broken = bundle('x', [{ type: 'olm.bundle.object', value: { data: '%%%' } }]);
    expect(thrown(() => finish(broken, true))).toBeInstanceOf(RenderError);
  });
});

/**
 * KUBE_YAML_SCHEMA: plain scalars resolve as go-yaml v2 (what
 * sigs.k8s.io/yaml, hence Kubernetes and opm, use) resolves them — cases from
 * go-yaml v2's decode tests — where YAML 1.2's core schema differs.
 */
import { describe, expect, it } from 'vitest';
import { KUBE_YAML_SCHEMA } from '../../../src/domain/catalog/kube-yaml.js';
import { RenderError, renderBundle } from '../../../src/domain/catalog/render-bundle.js';
import { parseYaml } from '../../../src/domain/manifest/yaml-parse.js';
import { gadgetBundle, gadgetCsv } from '../../support/catalog-bundles.js';
import { thrown } from '../../support/manifest-builders.js';

const value = (scalar: string) =>
  (parseYaml('t.yaml', `v: ${scalar}\n`, KUBE_YAML_SCHEMA) as { v: unknown }).v;

describe('KUBE_YAML_SCHEMA', () => {
  it.each<[string, unknown]>([
    ['0644', 420],
    ['0o644', 420],
    ['0x1F', 31],
    ['-0x1F', -31],
    ['0b1010', 10],
    ['1_000', 1000],
    ['+12', 12],
    ['08', 8],
    ['9223372036854775807', 9223372036854775807n],
    ['18446744073709551616', 2 ** 64], // beyond int64: a float
    ['1.5', 1.5],
    ['1e3', 1000],
    ['.5', 0.5],
    ['yes', true],
    ['On', true],
    ['y', true],
    ['no', false],
    ['OFF', false],
    ['n', false],
    ['True', true],
    ['~', null],
    ['NULL', null],
    ['', null],
    ['"0644"', '0644'],
    ["'yes'", 'yes'],
    ['2019-01-24T15:33:43Z', '2019-01-24T15:33:43Z'],
    ['12:30:00', '12:30:00'],
    ['.inf', '.inf'],
    ['_1', '_1'],
    ['1.2.3', '1.2.3'],
  ])('%s → %o', (scalar, expected) => {
    expect(value(scalar)).toEqual(expected);
  });

  it('keeps merge keys', () => {
    expect(parseYaml('t.yaml', 'a: &a {x: 1}\nb:\n  <<: *a\n  z: 2\n', KUBE_YAML_SCHEMA)).toEqual({
      a: { x: 1 },
      b: { x: 1, z: 2 },
    });
  });

  it('turns keys that resolve to booleans or numbers into their JSON text, as sigs.k8s.io/yaml does', () => {
    expect(parseYaml('t.yaml', 'y: 1\nno: 2\n0644: 3\n', KUBE_YAML_SCHEMA)).toEqual({
      true: 1,
      false: 2,
      '420': 3,
    });
  });

  it('renders a CSV as the cluster reads it: defaultMode 0644 is 420 in its bundle object', () => {
    const csv = gadgetCsv('0.2.0', { 'spec.install.spec.deployments.0.spec.template.spec.volumes': [] });
    const files = gadgetBundle({ csv }).map((f) =>
      f.path.endsWith('clusterserviceversion.yaml')
        ? {
            path: f.path,
            data: new TextEncoder().encode(
              new TextDecoder()
                .decode(f.data)
                .replace(
                  'volumes: []',
                  'volumes:\n                  - name: cfg\n                    secret: {secretName: cfg, defaultMode: 0644}',
                ),
            ),
          }
        : f,
    );
    const { bundle } = renderBundle(files, { image: '' });
    const csvObject = bundle.properties
      .filter((p) => p.type === 'olm.bundle.object')
      .map((p) => Buffer.from((p.value as { data: string }).data, 'base64').toString('utf8'))
      .find((json) => json.includes('ClusterServiceVersion'));
    expect(csvObject).toContain('"secret":{"defaultMode":420,"secretName":"cfg"}');
  });

  it('a version written as a bare number is a number, which opm refuses as spec.version', () => {
    const files = gadgetBundle().map((f) =>
      f.path.endsWith('clusterserviceversion.yaml')
        ? {
            path: f.path,
            data: new TextEncoder().encode(
              new TextDecoder().decode(f.data).replace('version: 0.2.0', 'version: 1_0'),
            ),
          }
        : f,
    );
    expect(thrown(() => renderBundle(files, { image: '' }))).toBeInstanceOf(RenderError);
  });
});

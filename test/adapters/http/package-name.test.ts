/**
 * A packageName that cannot be one path segment is the bundle's fault: 400
 * PackageValidationError naming it, nothing pushed — never a 500 from the
 * packing step further down. Checked after the organization's suffix.
 */
import { describe, expect, it } from 'vitest';
import { multipart, zipOf } from '../../support/bundles.js';
import { AUTH, json, makeHttpApp } from '../../support/http-app.js';
import { aCrd, aCsv, aPackage, toYaml, withValue } from '../../support/manifest-builders.js';

function bundleZip(packageName: string): Uint8Array {
  return zipOf({
    'package.yaml': toYaml(withValue(aPackage(), 'packageName', packageName)),
    'csv.yaml': toYaml(aCsv()),
    'crd.yaml': toYaml(aCrd()),
  });
}

describe('packageName must be a single path segment', () => {
  it.each([
    ['a/b', 'it contains "/"'],
    ['..', '".." is not a name but a reference to a folder'],
    ['.', '"." is not a name but a reference to a folder'],
    ['a\\b', 'it contains "\\"'],
    ['bell\u0007', 'it contains a control character'],
    ['tab\tname', 'it contains a control character'],
  ])('%j → 400 PackageValidationError, nothing pushed', async (name, reason) => {
    const h = makeHttpApp();
    const res = await h.app.request('/v2/myorg/zipfile', {
      method: 'POST',
      headers: AUTH,
      body: multipart(bundleZip(name)),
    });
    expect(res.status).toBe(400);
    const message = `The packageName ${JSON.stringify(name)} cannot name a repository: ${reason}.`;
    expect(await json(res)).toEqual({
      status: 400,
      error: 'PackageValidationError',
      message,
      validation_info: { errors: [message], warnings: [] },
    });
    expect(h.registry.release('myorg', name, '1.0.0')).toBeUndefined();
  });

  it('an empty packageName is "not found", as in the original', async () => {
    const h = makeHttpApp();
    const res = await h.app.request('/v2/myorg/zipfile', {
      method: 'POST',
      headers: AUTH,
      body: multipart(bundleZip('')),
    });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error).toBe('PackageValidationError');
    expect(body.message).toMatch(/^Could not find packageName in manifests\. /);
  });

  it('is checked after the suffix (koji builds too)', async () => {
    const h = makeHttpApp({ organizations: { myorg: { package_name_suffix: '/evil' } } });
    h.buildSystem.add('widget-1-1', { kind: 'operator', archive: bundleZip('widget') });
    const res = await h.app.request('/v2/myorg/koji/widget-1-1', { method: 'POST', headers: AUTH });
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({
      error: 'PackageValidationError',
      message: 'The packageName "widget/evil" cannot name a repository: it contains "/".',
    });
  });

  it('a safe name with dots and dashes is fine', async () => {
    const h = makeHttpApp();
    const res = await h.app.request('/v2/myorg/zipfile', {
      method: 'POST',
      headers: AUTH,
      body: multipart(bundleZip('my.operator-1')),
    });
    expect(res.status).toBe(200);
    expect(h.registry.release('myorg', 'my.operator-1', '1.0.0')).toBeDefined();
  });
});

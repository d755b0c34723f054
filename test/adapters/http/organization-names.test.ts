/**
 * Organization names come from the URL and key the configuration: names that
 * every JavaScript object inherits (`constructor`, `__proto__`, `toString`)
 * are organizations like any other — unconfigured ones behave as any unknown
 * organization, configured ones get their own policy. They once answered 500.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, parseConfigText } from '../../../src/infrastructure/config.js';
import { multipart, sampleZip } from '../../support/bundles.js';
import { AUTH, json, makeHttpApp } from '../../support/http-app.js';

const INHERITED = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

describe('organization names that are Object.prototype properties', () => {
  it.each(INHERITED)('/v2/%s/zipfile publishes as for any unknown organization', async (org) => {
    const h = makeHttpApp();
    const res = await h.app.request(`/v2/${org}/zipfile`, {
      method: 'POST',
      headers: AUTH,
      body: multipart(sampleZip()),
    });
    expect(await json(res)).toMatchObject({ organization: org, repo: 'hello-operator', version: '1.0.0' });
    expect(res.status).toBe(200);
    expect(h.registry.release(org, 'hello-operator', '1.0.0')).toBeDefined();
    expect(h.registry.visibility(org, 'hello-operator')).toBe('private');
  });

  it.each(INHERITED)('/v1/%s/hello-operator/zipfile/2.0.0 publishes that version', async (org) => {
    const h = makeHttpApp();
    const res = await h.app.request(`/v1/${org}/hello-operator/zipfile/2.0.0`, {
      method: 'POST',
      headers: AUTH,
      body: multipart(sampleZip()),
    });
    expect(res.status).toBe(200);
    expect(h.registry.release(org, 'hello-operator', '2.0.0')).toBeDefined();
  });

  it.each(INHERITED)('DELETE /v2/%s/nothing-here → 404 QuayPackageNotFound', async (org) => {
    const h = makeHttpApp();
    const res = await h.app.request(`/v2/${org}/nothing-here`, { method: 'DELETE', headers: AUTH });
    expect(res.status).toBe(404);
    expect(await json(res)).toMatchObject({ error: 'QuayPackageNotFound' });
  });

  it('a configured organization named constructor or toString gets its own policy, and only it', async () => {
    const h = makeHttpApp({
      organizations: {
        constructor: { package_name_suffix: '-ctor' },
        toString: { package_name_suffix: '-str' },
      },
    });
    const publish = async (org: string) => {
      const res = await h.app.request(`/v2/${org}/zipfile`, {
        method: 'POST',
        headers: AUTH,
        body: multipart(sampleZip()),
      });
      expect(res.status).toBe(200);
      return (await json(res)).repo;
    };
    expect(await publish('constructor')).toBe('hello-operator-ctor');
    expect(await publish('toString')).toBe('hello-operator-str');
    expect(await publish('__proto__')).toBe('hello-operator');
    expect(await publish('valueOf')).toBe('hello-operator');
  });

  it('an organization configured as __proto__ stops start-up, naming it (it would silently get no policy)', () => {
    const yaml = 'organizations:\n  __proto__: {package_name_suffix: -proto}\n  myorg: {}\n';
    expect(() => parseConfigText(yaml)).toThrow(
      'Invalid configuration: organizations.__proto__: is not a valid organization name',
    );
    expect(() => parseConfig(JSON.parse('{"organizations": {"__proto__": {}}}'))).toThrow(ConfigError);
  });
});

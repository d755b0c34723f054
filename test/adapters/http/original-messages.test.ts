/**
 * SPEC §2 "Messages": clients of the original OMPS match on its messages, so
 * each of these answers' `message` starts with the original's text, verbatim.
 * One row per case of the SPEC table, through app.request() on in-memory
 * upstreams (the real Quay and Koji adapters are checked against their
 * emulators in test/integration/publish-against-emulators.test.ts).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { multipart, sampleZip, zipOf } from '../../support/bundles.js';
import { AUTH, json, makeHttpApp } from '../../support/http-app.js';
import { aCrd, aCsv, aPackage, toYaml, without } from '../../support/manifest-builders.js';
import { buildZip } from '../../support/zip-builder.js';

const NVR = 'hello-operator-container-1.0.0-1';
let h: ReturnType<typeof makeHttpApp>;

beforeEach(() => {
  h = makeHttpApp({ zipfile_max_uncompressed_size: 4096 });
  h.buildSystem
    .add(NVR, { kind: 'operator', archive: sampleZip() })
    .add('plain-1-1', { kind: 'not-an-operator' })
    .add('legacy-1-1', { kind: 'archive-missing', archiveName: 'operator_manifests.zip' });
});

const upload = (zip: Uint8Array, filename = 'manifests.zip') => ({
  method: 'POST',
  headers: AUTH,
  body: multipart(zip, filename),
});

interface MessageCase {
  case: string;
  request: () => [string, RequestInit];
  status: number;
  error: string;
  /** The original's text the message must start with. */
  starts: string;
  before?: () => void;
}

const cases: MessageCase[] = [
  {
    case: 'no field "file"',
    request: () => {
      const form = new FormData();
      form.append('other', new Blob(['x']), 'x.zip');
      return ['/v2/myorg/zipfile', { method: 'POST', headers: AUTH, body: form }];
    },
    status: 400,
    error: 'OMPSExpectedFileError',
    starts: 'No field "file" in uploaded data',
  },
  {
    case: 'empty filename',
    request: () => [
      '/v2/myorg/zipfile',
      {
        method: 'POST',
        headers: { ...AUTH, 'Content-Type': 'multipart/form-data; boundary=b' },
        body: '--b\r\nContent-Disposition: form-data; name="file"; filename=""\r\n\r\nabc\r\n--b--\r\n',
      },
    ],
    status: 400,
    error: 'OMPSExpectedFileError',
    starts: 'No selected "file" in uploaded data',
  },
  {
    case: 'wrong extension',
    request: () => ['/v2/myorg/zipfile', upload(sampleZip(), 'manifests.tar.gz')],
    status: 400,
    error: 'OMPSUploadedFileError',
    starts: `Uploaded file extension ".gz" is not any of ['.zip']`,
  },
  {
    case: 'no extension at all',
    request: () => ['/v2/myorg/zipfile', upload(sampleZip(), 'manifests')],
    status: 400,
    error: 'OMPSUploadedFileError',
    starts: `Uploaded file extension "" is not any of ['.zip']`,
  },
  {
    case: 'not a zip',
    request: () => ['/v2/myorg/zipfile', upload(new TextEncoder().encode('not a zip at all'))],
    status: 400,
    error: 'OMPSUploadedFileError',
    starts: 'File is not a zip file',
  },
  {
    case: 'corrupt zip (truncated)',
    request: () => ['/v2/myorg/zipfile', upload(sampleZip().subarray(0, 60))],
    status: 400,
    error: 'OMPSUploadedFileError',
    starts: 'File is not a zip file',
  },
  {
    case: 'encrypted entry',
    request: () => [
      '/v2/myorg/zipfile',
      upload(buildZip([{ name: 'secret.yaml', data: 'a: 1\n', flags: 1 }])),
    ],
    status: 400,
    error: 'OMPSUploadedFileError',
    starts: "File 'secret.yaml' is encrypted, password required for extraction",
  },
  {
    case: 'too big after unzip',
    request: () => ['/v2/myorg/zipfile', upload(zipOf({ 'big.yaml': `a: "${'x'.repeat(8000)}"\n` }))],
    status: 400,
    error: 'OMPSUploadedFileError',
    starts: 'Uncompressed archive is larger than limit',
  },
  {
    case: 'CRC mismatch',
    request: () => [
      '/v2/myorg/zipfile',
      upload(buildZip([{ name: 'pkg/a.yaml', data: 'a: 1\n', crc: 0x12345678 }])),
    ],
    status: 400,
    error: 'OMPSUploadedFileError',
    starts: 'CRC check failed for file pkg/a.yaml in archive',
  },
  {
    case: 'no packageName',
    request: () => [
      '/v2/myorg/zipfile',
      upload(zipOf({ 'csv.yaml': toYaml(aCsv()), 'crd.yaml': toYaml(aCrd()) })),
    ],
    status: 400,
    error: 'PackageValidationError',
    starts: 'Could not find packageName in manifests.',
  },
  {
    case: 'a file that is not YAML',
    request: () => [
      '/v2/myorg/zipfile',
      upload(zipOf({ 'package.yaml': toYaml(aPackage()), 'bad.yaml': 'a: [1\n' })),
    ],
    status: 400,
    error: 'PackageValidationError',
    starts: 'Failed to push manifest: Courier requires valid input YAML files',
  },
  {
    case: 'bundle fails validation',
    request: () => [
      '/v2/myorg/zipfile',
      upload(
        zipOf({
          'package.yaml': toYaml(aPackage()),
          'csv.yaml': toYaml(without(aCsv(), 'apiVersion')),
          'crd.yaml': toYaml(aCrd()),
        }),
      ),
    ],
    status: 400,
    error: 'PackageValidationError',
    starts: 'Failed to push manifest: Resulting bundle is invalid, input yaml is improperly defined.',
  },
  {
    case: 'Quay refuses the push: release exists',
    before: () => h.registry.seed('myorg', 'hello-operator', ['1.0.0']),
    request: () => ['/v2/myorg/zipfile/1.0.0', upload(sampleZip())],
    status: 500,
    error: 'QuayCourierError',
    starts: 'Failed to push manifest: package exists already: myorg/hello-operator@1.0.0',
  },
  {
    case: 'Quay refuses the push: 403',
    request: () => [
      '/v2/myorg/zipfile/1.0.0',
      { method: 'POST', headers: { Authorization: 'bad-token' }, body: multipart(sampleZip()) },
    ],
    status: 403,
    error: 'QuayAuthorizationError',
    starts: 'Failed to push manifest: Unauthorized access',
  },
  {
    case: 'listing releases fails: 403',
    request: () => [
      '/v2/myorg/zipfile',
      { method: 'POST', headers: { Authorization: 'bad-token' }, body: multipart(sampleZip()) },
    ],
    status: 403,
    error: 'QuayAuthorizationError',
    starts: 'Cannot retrieve information about package myorg/hello-operator: ',
  },
  {
    case: 'delete: package unknown',
    request: () => ['/v2/myorg/nothing-here', { method: 'DELETE', headers: AUTH }],
    status: 404,
    error: 'QuayPackageNotFound',
    starts: 'Package myorg/nothing-here not found',
  },
  {
    case: 'unknown NVR',
    request: () => ['/v2/myorg/koji/unknown-1-1', { method: 'POST', headers: AUTH }],
    status: 404,
    error: 'KojiNVRBuildNotFound',
    starts: 'NVR not found: unknown-1-1',
  },
  {
    case: 'no operator metadata',
    request: () => ['/v2/myorg/koji/plain-1-1', { method: 'POST', headers: AUTH }],
    status: 400,
    error: 'KojiNotAnOperatorImage',
    starts: 'Not an operator image: plain-1-1',
  },
  {
    case: 'legacy archive not listed',
    request: () => ['/v2/myorg/koji/legacy-1-1', { method: 'POST', headers: AUTH }],
    status: 500,
    error: 'KojiManifestsArchiveNotFound',
    starts: "Expected archive 'operator_manifests.zip' with manifests not found in build: legacy-1-1",
  },
];

describe("the original OMPS's messages (SPEC §2)", () => {
  it.each(cases)('$case → $status $error "$starts…"', async (c) => {
    c.before?.();
    const [path, init] = c.request();
    const res = await h.app.request(path, init);
    expect(res.status).toBe(c.status);
    const body = await json(res);
    expect(body).toMatchObject({ status: c.status, error: c.error });
    expect(typeof body.message).toBe('string');
    expect((body.message as string).slice(0, c.starts.length)).toBe(c.starts);
  });
});

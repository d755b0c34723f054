/**
 * The `omps` command line as a process: verify (operator-courier's
 * test_api/test_validate cases at the command level), nest, flatten, help,
 * versions, exit codes (0 ok, 1 invalid, 2 usage or I/O).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_COURIER_VERSION } from '../../../src/domain/manifest/index.js';
import { SERVICE_VERSION } from '../../../src/infrastructure/version.js';
import { buildCli, omps, writeFiles } from '../../support/cli.js';
import { ROOT } from '../../support/dist.js';
import {
  aCrd,
  aCsv,
  aPackage,
  filesOf,
  flatBundle,
  type Obj,
  without,
  withValue,
} from '../../support/manifest-builders.js';
import { anOperatorHubCsv, gizmoCrd, gizmoCsv, gizmoPackage } from '../../support/operator-builders.js';

const INVALID = 'Resulting bundle is invalid, input yaml is improperly defined.';

let dir: string;
let count = 0;
/** A fresh folder holding `files`. */
const bundleDir = (files: ReturnType<typeof filesOf>) => writeFiles(join(dir, `bundle-${++count}`), files);

function treeOf(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(relative(root, join(d, e.name)).split('\\').join('/'));
    }
  };
  walk(root);
  return out.sort();
}

function nestedGizmo(csv020: Obj = gizmoCsv('0.2.0', ['gears', 'cogs'])) {
  return filesOf({
    'gizmo.package.yaml': gizmoPackage('0.2.0'),
    '0.1.0/gizmo.clusterserviceversion.yaml': gizmoCsv('0.1.0', ['gears']),
    '0.1.0/gears.crd.yaml': gizmoCrd('gears', '0.1.0'),
    '0.2.0/gizmo.clusterserviceversion.yaml': csv020,
    '0.2.0/gears.crd.yaml': gizmoCrd('gears', '0.2.0'),
    '0.2.0/cogs.crd.yaml': gizmoCrd('cogs', '0.2.0'),
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'omps-cli-'));
  await buildCli();
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('omps verify', { timeout: 60_000 }, () => {
  it('accepts a valid flat bundle (test_make_bundle)', async () => {
    const source = bundleDir(flatBundle());
    const run = await omps(['verify', source]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe(`${source}: valid flat bundle (0 warnings)\n`);
  });

  it('accepts a flat bundle beside a folder of other files (valid_flat_bundle_with_random_folder)', async () => {
    const files = [
      ...flatBundle(),
      ...filesOf({ 'random_folder/notes.txt': 'hello', 'random_folder/x.yaml': aPackage() }),
    ];
    const run = await omps(['verify', bundleDir(files)]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('valid flat bundle');
  });

  it('accepts a valid nested bundle (test_valid_nested_bundles)', async () => {
    const run = await omps(['verify', bundleDir(nestedGizmo())]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('valid nested bundle');
  });

  it('refuses a nested bundle whose CSV lacks apiVersion and installModes (test_invalid_nested_bundles)', async () => {
    const broken = without(without(gizmoCsv('0.2.0', ['gears', 'cogs']), 'apiVersion'), 'spec.installModes');
    const run = await omps(['verify', bundleDir(nestedGizmo(broken))]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ERROR: csv apiVersion not defined.\n');
    expect(run.stderr).toContain('ERROR: csv spec.installModes not defined\n');
    expect(run.stderr.endsWith(`${INVALID}\n`)).toBe(true);
  });

  it('refuses two packages at the root (test_invalid_flat_bundles)', async () => {
    const files = [...flatBundle(), ...filesOf({ 'other.package.yaml': aPackage({ packageName: 'other' }) })];
    const run = await omps(['verify', bundleDir(files)]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `ERROR: Only 1 package is expected to exist in source root folder.\n${INVALID}\n`,
    );
  });

  it('refuses a bundle without a package (test_make_bundle_invalid)', async () => {
    const files = filesOf({ 'crd.yml': aCrd(), 'csv.yaml': aCsv() });
    const run = await omps(['verify', bundleDir(files)]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ERROR: Bundle does not contain any packages.\n');
  });

  it("refuses a file that is not YAML with courier's line, then the file, line and parser detail", async () => {
    const files = [...flatBundle(), ...filesOf({ 'deploy/broken.yaml': 'a: [1, 2\n  b: }\n' })];
    const output = join(dir, 'not-yaml-validation.json');
    const run = await omps(['verify', bundleDir(files), '--validation-output', output]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^ERROR: Courier requires valid input YAML files\nInvalid YAML file "deploy\/broken\.yaml": .+ \(line 2, column \d+\)\n$/,
    );
    expect(() => readFileSync(output)).toThrow(); // courier stops at the file: no validation to write
  });

  it('writes --validation-output as courier does, valid or not', async () => {
    const csv = withValue(without(aCsv(), 'spec.icon'), 'spec.install.strategy', 'helm');
    const output = join(dir, 'validation.json');
    const run = await omps(['verify', bundleDir(flatBundle({ csv })), '--validation-output', output]);
    expect(run.code).toBe(1);
    expect(readFileSync(output, 'utf8')).toBe(
      `{"warnings": ["csv spec.icon not defined"], "errors": ["csv spec.install.strategy must be one of ['deployment']"]}\n`,
    );
    expect(run.stderr).toBe(
      "ERROR: csv spec.install.strategy must be one of ['deployment']\nWARNING: csv spec.icon not defined\n" +
        `${INVALID}\n`,
    );

    const valid = await omps(['verify', bundleDir(flatBundle()), '--validation-output', output]);
    expect(valid.code).toBe(0);
    expect(readFileSync(output, 'utf8')).toBe('{"warnings": [], "errors": []}\n');
  });

  it('runs the operatorhub.io checks with --ui_validate_io only', async () => {
    const csv = withValue(anOperatorHubCsv(), 'metadata.annotations.capabilities', 'Autopilot');
    const source = bundleDir(flatBundle({ csv }));
    expect((await omps(['verify', source])).code).toBe(0);
    const run = await omps(['verify', source, '--ui_validate_io']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'ERROR: metadata.annotations.capabilities Autopilot is not a valid capabilities level\n' +
        'ERROR: UI validation failed to verify that required fields for operatorhub.io are properly formatted.\n' +
        `${INVALID}\n`,
    );
  });

  it('reads files through symbolic links, skips broken ones and does not follow linked folders', async () => {
    const source = bundleDir(flatBundle());
    // Followed, this folder (a CSV and its CRD) would make the bundle nested.
    const version = writeFiles(
      join(dir, 'elsewhere', '2.0.0'),
      filesOf({ 'csv.yaml': aCsv(), 'crd.yaml': aCrd() }),
    );
    symlinkSync(version, join(source, '2.0.0'));
    symlinkSync(join(dir, 'no-such-file.yaml'), join(source, 'broken.yaml'));
    const run = await omps(['verify', source]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('valid flat bundle');

    const extra = writeFiles(join(dir, 'elsewhere'), filesOf({ 'extra.package.yaml': aPackage() }));
    symlinkSync(join(extra, 'extra.package.yaml'), join(source, 'extra.package.yaml'));
    const twoPackages = await omps(['verify', source]);
    expect(twoPackages.code).toBe(1);
    expect(twoPackages.stderr).toContain('Only 1 package is expected to exist in source root folder.');
  });

  it('reads a .zip, whose single top folder is the root', async () => {
    const entries = Object.fromEntries(flatBundle().map((f) => [`my-operator/${f.path}`, f.data]));
    const zip = join(dir, 'bundle.zip');
    writeFileSync(zip, zipSync(entries));
    const run = await omps(['verify', zip]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('valid flat bundle');
  });

  it('answers 2 for a corrupt zip, a missing folder, a missing argument, an unknown option', async () => {
    const bad = join(dir, 'bad.zip');
    writeFileSync(bad, 'this is not a zip');
    const corrupt = await omps(['verify', bad]);
    expect(corrupt.code).toBe(2);
    expect(corrupt.stderr).toMatch(/^OMPSUploadedFileError: /);

    const missing = await omps(['verify', join(dir, 'nowhere')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file or directory');

    const none = await omps(['verify']);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe("omps verify: missing SOURCE_DIR\nRun 'omps verify --help' for usage.\n");

    const unknown = await omps(['verify', dir, '--ui-validate-io']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--ui-validate-io'");
  });
});

describe('omps nest and flatten', { timeout: 60_000 }, () => {
  it('nests a flat bundle into version folders', async () => {
    const source = bundleDir(
      filesOf({
        'gizmo.package.yaml': gizmoPackage('0.2.0'),
        'a.clusterserviceversion.yaml': gizmoCsv('0.1.0', ['gears']),
        'b.clusterserviceversion.yaml': gizmoCsv('0.2.0', ['gears', 'cogs']),
        'gear.crd.yaml': gizmoCrd('gears'),
        'cog.crd.yaml': gizmoCrd('cogs'),
      }),
    );
    const target = join(dir, 'registry', 'gizmo');
    const run = await omps(['nest', source, target]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(treeOf(target)).toEqual([
      '0.1.0/gears.gizmo.example.org.crd.yaml',
      '0.1.0/gizmo-operator.v0.1.0.clusterserviceversion.yaml',
      '0.2.0/cogs.gizmo.example.org.crd.yaml',
      '0.2.0/gears.gizmo.example.org.crd.yaml',
      '0.2.0/gizmo-operator.v0.2.0.clusterserviceversion.yaml',
      'gizmo.package.yaml',
    ]);
    expect((await omps(['verify', target])).code).toBe(0);
  });

  it('refuses to nest when an owned CRD is missing, writing nothing', async () => {
    const source = bundleDir(
      filesOf({ 'gizmo.package.yaml': gizmoPackage('0.1.0'), 'a.csv.yaml': gizmoCsv('0.1.0', ['gears']) }),
    );
    const target = join(dir, 'not-written');
    const run = await omps(['nest', source, target]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'ERROR: CRD gears.gizmo.example.org mentioned in CSV gizmo-operator.v0.1.0 was not foundin directory.\n',
    );
    expect(() => readdirSync(target)).toThrow();
  });

  it('refuses a spec.version that would write outside the target (../../../x), writing nothing', async () => {
    const csv = withValue(gizmoCsv('0.1.0', []), 'spec.version', '../../../x');
    const source = bundleDir(filesOf({ 'gizmo.package.yaml': gizmoPackage('0.1.0'), 'a.csv.yaml': csv }));
    const parent = join(dir, 'escape');
    const target = join(parent, 'a', 'b', 'registry');
    const run = await omps(['nest', source, target]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'ERROR: The spec.version of CSV gizmo-operator.v0.1.0 cannot name a folder: "../../../x" (it contains "/").\n',
    );
    expect(() => readdirSync(parent)).toThrow();
  });

  it('flattens a nested bundle, keeping the latest CRDs', async () => {
    const source = bundleDir(nestedGizmo());
    const target = join(dir, 'flat');
    const run = await omps(['flatten', source, target]);
    expect(run.code).toBe(0);
    expect(treeOf(target)).toEqual([
      'cogs.crd.yaml',
      'gears.crd.yaml',
      'gizmo.clusterserviceversion-v0.1.0.yaml',
      'gizmo.clusterserviceversion-v0.2.0.yaml',
      'gizmo.package.yaml',
    ]);
    expect(readFileSync(join(target, 'gears.crd.yaml'), 'utf8')).toBe(
      readFileSync(join(source, '0.2.0', 'gears.crd.yaml'), 'utf8'),
    );
  });

  it('needs both folders', async () => {
    const run = await omps(['flatten', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('missing DEST_DIR');
  });
});

describe('omps help and versions', { timeout: 60_000 }, () => {
  it('prints the versions of the service and of the courier rules', async () => {
    const run = await omps(['--version']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe(`omps ${SERVICE_VERSION} (operator-courier ${OPERATOR_COURIER_VERSION} rules)\n`);
  });

  it('prints help for the whole tool and for each command', async () => {
    const all = await omps(['--help']);
    expect(all.code).toBe(0);
    for (const command of ['verify', 'nest', 'flatten', 'push', 'publish', 'catalog']) {
      expect(all.stdout).toContain(`  ${command} `);
      const one = await omps([command, '--help']);
      expect(one.code).toBe(0);
      expect(one.stdout).toMatch(new RegExp(`^Usage: omps ${command} `));
    }
  });

  it('answers 2 without a command or with an unknown one', async () => {
    expect((await omps([])).code).toBe(2);
    const unknown = await omps(['vrify']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^omps: unknown command 'vrify'/);
  });

  it('runs as bin/omps.js, the executable package.json names (what npx omps runs)', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    const bin = join(ROOT, pkg.bin.omps as string);
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(bin, ['--version'], { timeout: 20_000 }, (error, out) =>
        error ? reject(error) : resolve(out),
      ),
    );
    expect(stdout).toContain(`omps ${SERVICE_VERSION}`);
  });
});

/**
 * The YAML scalars Kubernetes and opm read: sigs.k8s.io/yaml decodes with
 * go-yaml v2, i.e. YAML 1.1 resolution, not the 1.2 core schema the
 * courier rules use. Rendering must read a manifest as OLM will, or a bundle
 * object would carry other values than the cluster gets: `defaultMode: 0644`
 * is the octal 420, `1_000` is 1000, `yes`/`on`/`y` are true and `no`/`off`/`n`
 * false. Quoted scalars stay strings, as always. `.inf` and `.nan` stay
 * strings too (Go cannot write them as JSON; opm skips such a file).
 */
import jsYaml, { FAILSAFE_SCHEMA, type Schema, Type } from 'js-yaml';

// The typings omit js-yaml's `types` table; it is there at run time.
const { merge, null: nullType } = (jsYaml as unknown as { types: { merge: Type; null: Type } }).types;

const BOOLEANS: ReadonlyMap<string, boolean> = new Map([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map((s) => [s, true] as const),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map(
    (s) => [s, false] as const,
  ),
]);

const boolType = new Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && BOOLEANS.has(data),
  construct: (data: string) => BOOLEANS.get(data),
  predicate: (object: unknown) => typeof object === 'boolean',
});

/** Go's strconv.ParseInt(s, 0, 64) after go-yaml v2 removed every `_`: sign, then 0x / 0o / 0b / 0 (octal) / decimal. */
const GO_INT = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]+)|([0-9]+))$/;
/** go-yaml v2's yamlStyleFloat. */
const GO_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const INT64_MAX = 2n ** 63n - 1n;

/** Only plain scalars starting with a digit, a sign or a dot are numbers in go-yaml v2. */
function numberText(data: string | null): string | undefined {
  if (data === null || !/^[-+.0-9]/.test(data)) return undefined;
  return data[0] === '.' ? data : data.replaceAll('_', '');
}

function goInt(data: string | null): number | bigint | undefined {
  const text = numberText(data);
  const match = text === undefined ? null : GO_INT.exec(text);
  if (!match) return undefined;
  const [, sign, hex, octal, binary, legacyOctal, decimal] = match;
  const magnitude = hex
    ? BigInt(`0x${hex}`)
    : octal || legacyOctal
      ? BigInt(`0o${octal ?? legacyOctal}`)
      : binary
        ? BigInt(`0b${binary}`)
        : BigInt(decimal!);
  const value = sign === '-' ? -magnitude : magnitude;
  // Beyond int64 the Kubernetes decoder holds a float (if the float pattern matches).
  if (value > INT64_MAX || value < -INT64_MAX - 1n) return undefined;
  return Number.isSafeInteger(Number(value)) ? Number(value) : value;
}

const intType = new Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: string | null) => goInt(data) !== undefined,
  construct: (data: string) => goInt(data),
  predicate: (object: unknown) =>
    typeof object === 'bigint' || (typeof object === 'number' && Number.isInteger(object)),
});

function goFloat(data: string | null): number | undefined {
  const text = numberText(data);
  if (text === undefined || !GO_FLOAT.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

const floatType = new Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (data: string | null) => goFloat(data) !== undefined,
  construct: (data: string) => goFloat(data),
  predicate: (object: unknown) => typeof object === 'number',
});

/** go-yaml v2's implicit scalars, plus `<<` merge keys. */
export const KUBE_YAML_SCHEMA: Schema = FAILSAFE_SCHEMA.extend({
  implicit: [nullType, boolType, intType, floatType, merge],
});

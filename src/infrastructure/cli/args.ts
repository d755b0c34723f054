/** Argument parsing for every command: node:util's parseArgs, strict, with positionals counted. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { usageError } from './cli-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  readonly name: string;
  /** The usage text `omps <name> --help` prints. */
  readonly usage: string;
  run(argv: readonly string[]): Promise<number>;
}

export interface Parsed<P extends readonly string[]> {
  readonly positionals: { [K in keyof P]: string };
  /** Positionals after the named ones (only with `variadic`: the last one repeats). */
  readonly rest: readonly string[];
  readonly values: Record<string, string | boolean | undefined>;
  readonly help: boolean;
}

/**
 * Parses `argv` against `options` (plus -h/--help), requiring exactly the
 * named positionals (`optional` trailing ones may be left out; with
 * `variadic`, more may follow, in `rest`).
 */
export function parseCommand<P extends readonly string[]>(
  argv: readonly string[],
  spec: { options: Options; positionals: P; optional?: number; variadic?: boolean },
): Parsed<P> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...spec.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw usageError((error as Error).message);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const help = values.help === true;
  const { positionals } = parsed;
  const required = spec.positionals.length - (spec.optional ?? 0);
  if (!help && positionals.length < required) {
    throw usageError(`missing ${spec.positionals.slice(positionals.length).join(' ')}`);
  }
  if (!spec.variadic && positionals.length > spec.positionals.length) {
    throw usageError(`unexpected argument '${positionals[spec.positionals.length]}'`);
  }
  const named = positionals.slice(0, spec.positionals.length);
  const rest = positionals.slice(spec.positionals.length);
  return { positionals: named as unknown as Parsed<P>['positionals'], rest, values, help };
}

export function stringOption(values: Parsed<readonly string[]>['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

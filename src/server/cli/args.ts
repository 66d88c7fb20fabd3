/**
 * The arguments of an operator command (create-admin, audit:verify, retention:purge, ca:revoke): node:util's
 * parseArgs, strict and without positional arguments, plus the -h/--help every command answers. The values keep
 * the types parseArgs gives the options (a string option is `string | undefined`, a boolean `boolean | undefined`).
 *
 * When there is nothing to run it says so with the exit code the commands document: `--help` prints the usage
 * (and any further help lines) to stdout, exit code 0; an unknown option, a missing value or a positional
 * argument prints parseArgs' message and the usage to stderr, exit code 2 ("bad arguments or configuration").
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

interface Config<O extends Options> {
  options: O & typeof HELP;
  strict: true;
  allowPositionals: false;
  args?: string[];
}

/** What parseArgs returns as `values` for these options (without --help, which is answered here). */
export type CommandValues<O extends Options> = Omit<ReturnType<typeof parseArgs<Config<O>>>['values'], 'help'>;

export function parseCommandArgs<const O extends Options>(
  options: O,
  usage: string,
  more: { args?: string[]; help?: string[] } = {},
): { values: CommandValues<O> } | { exit: 0 | 2 } {
  let parsed;
  try {
    parsed = parseArgs<Config<O>>({ options: { ...options, ...HELP }, strict: true, allowPositionals: false, args: more.args });
  } catch (e) {
    console.error((e as Error).message);
    console.error(usage);
    return { exit: 2 };
  }
  // Typed for the caller (CommandValues); inside, with O still open, parseArgs' conditional types do not resolve.
  const { help, ...values } = parsed.values as { help?: boolean };
  if (help) {
    console.log([usage, ...(more.help ?? [])].join('\n'));
    return { exit: 0 };
  }
  return { values: values as CommandValues<O> };
}

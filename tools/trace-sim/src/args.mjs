// Command-line arguments shared by the trace-sim commands (cli.mjs, window-study-cli.mjs).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** `--name=value` arguments as an object (`--flag` alone is `'true'`). */
export function parseArgs(argv = process.argv.slice(2)) {
  return Object.fromEntries(
    argv.map((a) => {
      const [k, v = 'true'] = a.replace(/^--/, '').split('=');
      return [k, v];
    }),
  );
}

/** A comma-separated argument as a list (undefined when absent). */
export const list = (v) => (v === undefined ? undefined : v.split(',').filter(Boolean));

/** The traces folder (`--traces`, else $TRACES_DIR, else shared/traces beside the repository); exits with 2 when missing. */
export function tracesDir(args) {
  const dir = resolve(args.traces ?? process.env.TRACES_DIR ?? join(HERE, '../../../../shared/traces'));
  if (!existsSync(dir)) {
    console.error(`trace folder not found: ${dir} (pass --traces=DIR or set TRACES_DIR)`);
    process.exit(2);
  }
  return dir;
}

/** True when the trace file `file` passes an `--only` filter (substrings, case-insensitive). */
export const selected = (file, only) => only === undefined || only.some((o) => file.toLowerCase().includes(o.toLowerCase()));

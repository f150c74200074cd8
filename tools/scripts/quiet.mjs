// Runs a command and prints its output only when it fails, then exits with its status: `pnpm demo`
// builds quietly (node tools/scripts/quiet.mjs turbo run build …) and shows the build log only on error.
import { spawnSync } from 'node:child_process';

const [command, ...args] = process.argv.slice(2);
if (command === undefined) {
  console.error('usage: node tools/scripts/quiet.mjs <command> [args…]');
  process.exit(2);
}
const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
if (result.error !== undefined || result.status !== 0) {
  process.stdout.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  if (result.error !== undefined) console.error(`${command}: ${result.error.message}`);
  process.exit(result.status ?? 1);
}

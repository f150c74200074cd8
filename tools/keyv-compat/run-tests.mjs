// Runs Keyv's compliance suite on vitest and writes test-results.json in the shape of jest's JSON
// result ({ numPassedTests, numFailedTests, numRuntimeErrorTestSuites, ... }), so the CI count of
// jest result files includes it. A vitest run that dies before writing its report counts as one
// failed suite. Exits with vitest's status.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const vitestReport = 'vitest-results.tmp.json';
rmSync(vitestReport, { force: true });
const vitest = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
const run = spawnSync(process.execPath, [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestReport}`], { stdio: 'inherit' });

let result;
if (existsSync(vitestReport)) {
  const report = JSON.parse(readFileSync(vitestReport, 'utf8'));
  const crashedSuites = (report.testResults ?? []).filter((suite) => suite.status === 'failed' && (suite.assertionResults ?? []).every((t) => t.status !== 'failed')).length;
  result = {
    numPassedTests: report.numPassedTests ?? 0,
    numFailedTests: report.numFailedTests ?? 0,
    numPendingTests: report.numPendingTests ?? 0,
    numTotalTests: report.numTotalTests ?? 0,
    numRuntimeErrorTestSuites: crashedSuites,
    success: run.status === 0 && report.success !== false,
    runner: 'vitest',
  };
  rmSync(vitestReport, { force: true });
} else {
  result = { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, numTotalTests: 0, numRuntimeErrorTestSuites: 1, success: false, runner: 'vitest' };
}
writeFileSync('test-results.json', `${JSON.stringify(result, null, 2)}\n`);
console.log(`keyv-compat: ${result.numPassedTests} passed, ${result.numFailedTests} failed, ${result.numRuntimeErrorTestSuites} suites crashed`);
process.exit(run.status ?? 1);

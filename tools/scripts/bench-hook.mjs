// Preloaded into every benchmark process by run-bench.mjs (node --import). Records each benchmark.js
// suite's cycles (name, ops/s, relative margin of error, samples) and, when the process exits,
// writes them as JSON to $PATINOX_BENCH_RESULTS, so the report needs no change to the suites.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const out = process.env.PATINOX_BENCH_RESULTS;
if (out) {
  const require = createRequire(join(process.cwd(), 'package.json'));
  const Benchmark = require('benchmark');
  const suites = [];
  const originalRun = Benchmark.Suite.prototype.run;
  Benchmark.Suite.prototype.run = function run(...args) {
    const record = { suite: this.name ?? '', cases: [] };
    suites.push(record);
    this.on('cycle', (event) => {
      const b = event.target;
      record.cases.push({ name: String(b.name ?? ''), hz: b.hz, rme: b.stats?.rme ?? 0, samples: b.stats?.sample?.length ?? 0, error: b.error ? String(b.error) : undefined });
    });
    return originalRun.apply(this, args);
  };
  process.on('exit', () => {
    writeFileSync(out, JSON.stringify({ suites }, null, 2));
  });
}

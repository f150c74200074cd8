// Preloaded into every benchmark process by run-bench.mjs (node --import). Records each benchmark.js
// suite's cycles (name, cycles/s, relative margin of error, samples) and, when the process exits,
// writes them as JSON to $PATINOX_BENCH_RESULTS.
// A case that runs several operations per call declares it in its benchmark.js options:
// `suite.add(name, fn, { ...options, opsPerCycle: 1000 })` (default 1), so the report can divide by
// operations, not calls; `ours: true` marks a case of ours whose name does not say "patinox".
// With $PATINOX_BENCH_ONLY set (a regular expression, by bench-ab.mjs), a benchmark.js case whose
// "suite › name" does not match is not added, so an A/B runs only the cases it compares.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const out = process.env.PATINOX_BENCH_RESULTS;
const onlyPattern = process.env.PATINOX_BENCH_ONLY;
if (onlyPattern) {
  const only = new RegExp(onlyPattern, 'i');
  const require = createRequire(join(process.cwd(), 'package.json'));
  const Benchmark = require('benchmark');
  const originalAdd = Benchmark.Suite.prototype.add;
  Benchmark.Suite.prototype.add = function add(name, ...rest) {
    if (typeof name === 'string' && !only.test(this.name ? `${this.name} › ${name}` : name)) return this;
    return originalAdd.call(this, name, ...rest);
  };
}
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
      const opsPerCycle = b.options?.opsPerCycle ?? 1;
      if (!(Number.isFinite(opsPerCycle) && opsPerCycle > 0)) throw new RangeError(`Expected \`opsPerCycle\` of case ${b.name} to be a positive number, got ${String(opsPerCycle)} (${typeof opsPerCycle})`);
      record.cases.push({
        name: String(b.name ?? ''),
        hz: b.hz,
        opsPerCycle,
        ours: typeof b.options?.ours === 'boolean' ? b.options.ours : undefined,
        rme: b.stats?.rme ?? 0,
        samples: b.stats?.sample?.length ?? 0,
        error: b.error ? String(b.error) : undefined,
      });
    });
    return originalRun.apply(this, args);
  };
  process.on('exit', () => {
    writeFileSync(out, JSON.stringify({ suites }, null, 2));
  });
}

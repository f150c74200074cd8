import { Histogram } from '@patinox/monitor';
import { ConfigData } from '@patinox/shared';

// Config update fan-out to 1,000 subscribers (target: under 1 ms):
// - listeners: update() with 1,000 callback subscribers, timed until update() returns (every listener
//   has then been called with the new version);
// - iterators: 1,000 `for await` loops waiting on subscribe(); timed from update() until the last loop
//   has received the new version.
// Each case runs 2,000 updates after 200 warm-up ones; p50/p99/max in µs. Machine is noisy (2 shared cores).

const SUBSCRIBERS = 1000;
const UPDATES = 2000;
const WARMUP = 200;

interface Settings {
  poolSize: number;
  timeoutMs: number;
  hosts: string[];
}

const make = (i: number): Settings => ({ poolSize: i, timeoutMs: 1000, hosts: ['a.internal', 'b.internal'] });
const fmt = (ns: number): string => (ns / 1000).toFixed(1);

function listeners(): Histogram {
  const config = new ConfigData<Settings>(make(0), { validate: (c) => c.poolSize >= 0 });
  let calls = 0;
  for (let i = 0; i < SUBSCRIBERS; i += 1) config.subscribe((c) => {
    calls += c.poolSize > -1 ? 1 : 0;
  });
  const histogram = new Histogram();
  for (let i = 1; i <= WARMUP + UPDATES; i += 1) {
    const next = make(i);
    const start = process.hrtime.bigint();
    config.update(next);
    const took = Number(process.hrtime.bigint() - start);
    if (i > WARMUP) histogram.record(took);
  }
  if (calls !== SUBSCRIBERS * (WARMUP + UPDATES)) throw new Error(`lost notifications: ${calls}`);
  config.close();
  return histogram;
}

async function iterators(): Promise<Histogram> {
  const config = new ConfigData<Settings>(make(0));
  let received = 0;
  let target = 0;
  let done: () => void = () => undefined;
  for (let i = 0; i < SUBSCRIBERS; i += 1) {
    void (async () => {
      for await (const { version } of config.subscribe()) {
        if (version === target) {
          received += 1;
          if (received === SUBSCRIBERS) done();
        }
      }
    })();
  }
  await new Promise((resolve) => setImmediate(resolve));
  const histogram = new Histogram();
  for (let i = 1; i <= WARMUP + UPDATES; i += 1) {
    received = 0;
    const all = new Promise<void>((resolve) => {
      done = resolve;
    });
    const next = make(i);
    const start = process.hrtime.bigint();
    target = config.update(next);
    await all;
    const took = Number(process.hrtime.bigint() - start);
    if (i > WARMUP) histogram.record(took);
  }
  config.close();
  return histogram;
}

const a = listeners();
const b = await iterators();
console.log(`| fan-out to ${SUBSCRIBERS} | p50 µs | p95 µs | p99 µs | max µs |`);
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [name, h] of [['callback listeners (update() returns)', a], ['async iterators (last one resumed)', b]] as const) {
  const s = h.summary();
  console.log(`| ${name} | ${fmt(s.p50)} | ${fmt(s.p95)} | ${fmt(s.p99)} | ${fmt(s.max)} |`);
}
console.log(`target: under 1 ms (1000 µs): listeners p99 ${a.percentile(0.99) < 1e6 ? 'met' : 'NOT met'}, iterators p99 ${b.percentile(0.99) < 1e6 ? 'met' : 'NOT met'}`);

import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { freePort, postgresUrl, redisUrl } from '@patinox/test-servers';
import { Redis } from 'ioredis';
import pg from 'pg';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '../dist/esm/main.js');
const SMALL = ['--records', '20000', '--requests', '3000'];
const NO_SERVERS = { REDIS_URL: undefined, DATABASE_URL: undefined };

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built demo to its end with `args` and extra environment variables. */
function demo(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env: { ...process.env, ...NO_SERVERS, ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, signal: error?.signal ?? null, stdout, stderr });
    });
  });
}

/** Starts the demo, calls `whenSeen` once stdout matches `pattern`, and resolves when it exits. */
function demoUntil(args: readonly string[], pattern: RegExp, whenSeen: (stdout: string, kill: (signal: NodeJS.Signals) => void) => void | Promise<void>): Promise<Run> {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, ...NO_SERVERS } });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  let stdout = '';
  let stderr = '';
  let seen = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (seen || !pattern.test(stdout)) return;
    seen = true;
    void Promise.resolve(whenSeen(stdout, (signal) => child.kill(signal))).catch((error: unknown) => {
      stderr += `test callback failed: ${String(error)}\n`;
      child.kill('SIGKILL');
    });
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function expectEverythingCleaned(run: Run): void {
  expect(run.stdout).toMatch(/Cleaned up \d+ resources in [\d.]+ ms, 0 failed/);
  expect(run.stdout).toMatch(/✓ mapping of catalog.bin/);
  expect(run.stdout).toMatch(/✓ temp file catalog.bin/);
  expect(run.stdout).toMatch(/✓ temp file pricing-rules.json/);
  const dir = /^ {10}(\/\S+patinox-demo-\S+)$/m.exec(run.stdout)?.[1];
  expect(dir).toBeDefined();
  expect(existsSync(dir!)).toBe(false);
}

/** Nothing the demo prints wraps on an 80-column terminal. */
function expectFitsTerminal(text: string): void {
  expect(text.split('\n').filter((line) => line.length > 80)).toEqual([]);
}

/** What every complete run shows: counts, a hit rate, the rules rollout, a complete cleanup. */
function expectHealthySummary(run: Run, requests: number): void {
  expectFitsTerminal(run.stdout);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(new RegExp(`requests\\s+${requests.toLocaleString('en-US')} in [\\d.]+ s \\([\\d,]+/s\\), 0 failed`));
  const hitRate = Number(/hit rate\s+([\d.]+) %/.exec(run.stdout)?.[1]);
  expect(hitRate).toBeGreaterThan(20);
  expect(hitRate).toBeLessThan(95);
  expect(run.stdout).toMatch(/rules\s+v1 → v2 after 1,500 requests/);
  expect(run.stdout).toMatch(/temp dir {2}removed: /);
  expectEverythingCleaned(run);
}

describe('pnpm demo', () => {
  it('prices a Zipf request stream on worker threads, rolls out new rules to every worker and cleans up', async () => {
    const run = await demo(SMALL);
    expectHealthySummary(run, 3000);
    expect(run.stdout).toMatch(/cache\s+in-process Cache/);
    expect(run.stdout).toMatch(/seen by (\d)\/\1 workers/);
    const workers = [...run.stdout.matchAll(/^ {2}#\d+\s+[\d,]+\s+(.+)$/gm)].map((m) => m[1]);
    expect(workers.length).toBeGreaterThanOrEqual(2);
    for (const versions of workers) expect(versions).toBe('v1 → v2');
    expect(run.stdout).toMatch(/✓ pricing worker ×\d/);
    expect(run.stdout).toMatch(/✓ worker pool/);
  });

  it('with --cache shared-map, caches prices in a SharedMap the pricing workers fill', async () => {
    const run = await demo([...SMALL, '--cache', 'shared-map']);
    expectHealthySummary(run, 3000);
    expect(run.stdout).toMatch(/cache\s+SharedMap in shared memory, 1,000 entries \(@patinox\/shared\),\n\s+filled by the pricing workers\n/);
    const [hits, misses] = (/SharedMap\s+([\d,]+) hits, ([\d,]+) misses/.exec(run.stdout) ?? []).slice(1).map((n) => Number(n.replaceAll(',', '')));
    expect(hits! + misses!).toBe(3000);
    expect(hits).toBeGreaterThan(0);
    expect(run.stdout).toMatch(/cache\s+dropped [\d,]+ prices computed with rules v1/);
    expect(run.stdout).toMatch(/seen by (\d)\/\1 workers/);
  });

  it('serves Prometheus metrics with --metrics-port, and cleans up on Ctrl-C while holding', async () => {
    let scrape = '';
    const run = await demoUntil([...SMALL, '--metrics-port', '0', '--hold'], /Holding:/, async (stdout, kill) => {
      const url = /(http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(stdout)![1]!;
      scrape = await (await fetch(url)).text();
      kill('SIGINT');
    });
    expect(scrape).toMatch(/^demo_requests_total 3000$/m);
    expect(scrape).toMatch(/^demo_request_latency_ms_count 3000$/m);
    expect(scrape).toMatch(/^pool_size\{pool="pricing-workers"\} \d$/m);
    expect(scrape).toMatch(/^patinox_cache_hits_total\{cache="prices"\} \d+$/m);
    expect(scrape).toMatch(/^patinox_resource_active\{registry="demo"\} \d+$/m);
    expect(scrape).toMatch(/^patinox_mmap_mapped_bytes\{file="[^"]*catalog.bin"\} 320000$/m);
    expect(run.stdout).toMatch(/Interrupted by SIGINT/);
    expectFitsTerminal(run.stdout);
    expect(run.stdout).toMatch(/✓ metrics server http:\/\/127\.0\.0\.1:\d+\/metrics/);
    expectEverythingCleaned(run);
    expect(run.signal ?? run.code).toMatch(/SIGINT|130/);
  });

  it('stops mid-stream on Ctrl-C and still cleans everything up', async () => {
    const run = await demoUntil(['--records', '20000', '--requests', '10000000'], /^rules {5}v1 from/m, async (_stdout, kill) => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      kill('SIGINT');
    });
    expect(run.stdout).toMatch(/Interrupted by SIGINT/);
    expect(run.stdout).not.toMatch(/Summary/);
    expectEverythingCleaned(run);
    expect(run.signal ?? run.code).toMatch(/SIGINT|130/);
  });

  it('with --cache shared-map, stops mid-stream on Ctrl-C (the workers that fill the map terminated) and cleans everything up', async () => {
    // The guard line is the last one before the stream starts: the signal lands while workers price and store.
    const run = await demoUntil(['--records', '20000', '--requests', '10000000', '--cache', 'shared-map'], /^cleanup {3}\d+ resources guarded/m, (_stdout, kill) => kill('SIGINT'));
    expect(run.stdout).toMatch(/SharedMap in shared memory/);
    expect(run.stdout).toMatch(/Interrupted by SIGINT/);
    expect(run.stdout).not.toMatch(/Summary/);
    expect(run.stderr).toBe('');
    expectEverythingCleaned(run);
    expect(run.signal ?? run.code).toMatch(/SIGINT|130/);
  });

  it('puts a Redis tier behind the cache when REDIS_URL is set, and deletes its keys at the end', async () => {
    const run = await demo(SMALL, { REDIS_URL: redisUrl() });
    expectHealthySummary(run, 3000);
    expect(run.stdout).toMatch(/cache\s+TieredCache: in-process L1 .* \+ Redis L2/);
    expect(run.stdout).toMatch(/L2 Redis\s+[\d,]+ hits, [\d,]+ misses/);
    const namespace = /namespace (patinox-demo\.\S+)$/m.exec(run.stdout)?.[1];
    expect(run.stdout).toContain(`✓ redis namespace ${namespace}`);
    const redis = new Redis(redisUrl());
    try {
      expect(await redis.keys(`${namespace}*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  it('reads prices from PostgreSQL through a pool of pg clients when DATABASE_URL is set, and drops its table', async () => {
    const run = await demo(SMALL, { DATABASE_URL: postgresUrl() });
    expectHealthySummary(run, 3000);
    expect(run.stdout).toMatch(/pricing\s+4 pg clients, [\d.]+ % busy/);
    expect(run.stdout).toMatch(/applied by the PostgreSQL loader/);
    const table = /table (patinox_demo_prices_\w+) \(/.exec(run.stdout)?.[1];
    expect(run.stdout).toContain(`✓ postgres table ${table}`);
    expect(run.stdout).toMatch(/✓ postgres pool \(4 clients\)/);
    const client = new pg.Client({ connectionString: postgresUrl() });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT to_regclass($1) AS found', [table]);
      expect(rows).toEqual([{ found: null }]);
    } finally {
      await client.end();
    }
  });

  it('rejects an unknown flag with exit code 2 and the usage', async () => {
    const run = await demo(['--request', '10']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/patinox demo: Unknown option '--request'/);
    expect(run.stderr).toMatch(/Usage: pnpm demo/);
    expect(run.stdout).toBe('');
  });

  it('prints the usage for --help, also after the `--` that pnpm passes along', async () => {
    const run = await demo(['--', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: pnpm demo \[options\]$/m);
    expect(run.stdout).toMatch(/--metrics-port <n>/);
    expectFitsTerminal(run.stdout);
  });

  it.each([
    ['Redis', 'REDIS_URL'],
    ['PostgreSQL', 'DATABASE_URL'],
  ])('reports a %s that refuses connections in one line, before building anything', async (name, variable) => {
    const port = await freePort();
    const url = variable === 'REDIS_URL' ? `redis://:secret@127.0.0.1:${port}` : `postgres://demo:secret@127.0.0.1:${port}/test`;
    const run = await demo(SMALL, { [variable]: url });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      `patinox demo: ${name} at ${url.replace('secret', '***')} is unreachable (connect ECONNREFUSED 127.0.0.1:${port}): start it, or unset ${variable} to run without it`,
    ]);
  });

  it('reports a Redis URL whose server does not speak Redis in one line', async () => {
    const server = createServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const run = await demo(SMALL, { REDIS_URL: `redis://127.0.0.1:${port}` });
      expect(run.code).toBe(1);
      expect(run.stderr.trimEnd().split('\n')).toEqual([`patinox demo: Redis at redis://127.0.0.1:${port} is unreachable (the server there does not speak RESP): start it, or unset REDIS_URL to run without it`]);
    } finally {
      server.close();
    }
  });

  it('rejects a flag value out of range with exit code 2', async () => {
    const run = await demo(['--records', '5']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Expected --records to be an integer from 1,000 to 100,000,000, got "5"/);
  });
});

import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// Real processes, run against the built package (the test task depends on build) through require():
// the CommonJS entry, loaded from a directory outside the package.
const CJS_ENTRY = fileURLToPath(new URL('../dist/cjs/index.js', import.meta.url));
const ESM_ENTRY = new URL('../dist/esm/index.js', import.meta.url).href;
const ERRORS_ENTRY = createRequire(import.meta.url).resolve('@patinox/errors');

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runNode(code: string, onStdout?: (chunk: string, child: ReturnType<typeof spawn>) => void, nodeArgs: string[] = []): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    // strict: any unhandled rejection ends the child with a non-zero exit code.
    const child = spawn(process.execPath, ['--unhandled-rejections=strict', ...nodeArgs, '-e', code], { cwd: tmpdir(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      onStdout?.(chunk, child);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (exitCode, signal) => resolve({ code: exitCode, signal, stdout, stderr }));
  });
}

describe('in a real process', () => {
  it('loads with require() from outside the package', async () => {
    const result = await runNode(`const r = require(${JSON.stringify(CJS_ENTRY)}); console.log(typeof r.guard, typeof r.ResourceRegistry, r.CleanupPriority.Critical);`);
    expect(result).toMatchObject({ code: 0, stdout: 'function function 3\n' });
  });

  it('shares the default registry, guards and error brands between the ESM and CJS copies', async () => {
    const script = `
      const cjs = require(${JSON.stringify(CJS_ENTRY)});
      import(${JSON.stringify(ESM_ENTRY)}).then(async (esm) => {
        const cleaned = [];
        const fromCjs = cjs.guard('a', (r) => void cleaned.push(r));
        const fromEsm = esm.guard('b', (r) => void cleaned.push(r));
        const sameRegistry = cjs.defaultRegistry() === esm.defaultRegistry();
        const brands = esm.isResourceGuard(fromCjs) && cjs.isResourceGuard(fromEsm);
        fromCjs.intoInner();
        let code;
        try { fromCjs.get(); } catch (e) { code = e.code; }
        const report = await esm.defaultRegistry().shutdown();
        let refused;
        try { cjs.guard('c', () => {}); } catch (e) { refused = e.code; }
        console.log(JSON.stringify({ sameRegistry, brands, code, cleaned, report: report.cleaned + '/' + report.handedBack, refused }));
      });`;
    const result = await runNode(script);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ sameRegistry: true, brands: true, code: 'RESOURCE_TAKEN', cleaned: ['b'], report: '1/0', refused: 'RESOURCE_REGISTRY_SHUTTING_DOWN' });
  });

  it('never leaves an unhandled rejection, whichever path a failing cleanup takes', async () => {
    const script = `
      const { ResourceRegistry, guard } = require(${JSON.stringify(CJS_ENTRY)});
      const { PatinoxError } = require(${JSON.stringify(ERRORS_ENTRY)});
      const registry = new ResourceRegistry({ timeoutMs: 20, maxRetries: 1, retryBaseDelayMs: 1 });
      const reject = () => Promise.reject(new Error('async failure'));
      const late = () => new Promise((_, r) => setTimeout(() => r(new Error('too late')), 60));
      const retryable = () => { throw new PatinoxError('busy', { code: 'EBUSY', recovery: 'retry' }); };
      // Leaked guards whose cleanups fail in each way.
      (() => { for (const fn of [reject, late, retryable, () => { throw 'not an error'; }]) guard({}, fn, { registry }); })();
      // Failing cleanups started by forceCleanupAll and joined later by their owners.
      const owned = [reject, late, retryable].map((fn) => guard({}, fn, { registry }));
      setImmediate(async () => {
        global.gc();
        await new Promise((r) => setTimeout(r, 10));
        global.gc();
        const report = await registry.forceCleanupAll();
        const joined = await Promise.allSettled(owned.map((g) => g.cleanup()));
        await new Promise((r) => setTimeout(r, 100));
        const stats = registry.stats();
        console.log(JSON.stringify({ failures: report.failures.length, joined: joined.map((j) => j.status), failed: stats.failed, active: stats.active }));
      });`;
    const result = await runNode(script, undefined, ['--expose-gc']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as { failures: number; joined: string[]; failed: number; active: number };
    expect(out.joined).toEqual(['rejected', 'rejected', 'rejected']);
    expect(out.failed).toBe(7);
    expect(out.active).toBe(0);
  });

  it('holds nothing of its own on the event loop once shutdown() resolves, though a cleanup hangs and another backs off', async () => {
    const script = `
      const { ResourceRegistry, guard } = require(${JSON.stringify(CJS_ENTRY)});
      const { PatinoxError } = require(${JSON.stringify(ERRORS_ENTRY)});
      const registry = new ResourceRegistry({ timeoutMs: 60000, retryBaseDelayMs: 60000, retryMaxDelayMs: 60000, maxRetries: 5 });
      const hung = guard({}, () => new Promise(() => {}), { registry, name: 'hung' });
      const busy = guard({}, () => { throw new PatinoxError('busy', { code: 'EBUSY', recovery: 'retry' }); }, { registry, name: 'busy' });
      registry.shutdown({ deadlineMs: 50 }).then((report) => {
        const codes = report.failures.map((f) => f.name + ':' + f.code).sort();
        console.log(JSON.stringify({ codes, timers: process.getActiveResourcesInfo().filter((r) => r === 'Timeout'), closed: registry.closed }));
        void hung; void busy;
      });`;
    // A stuck child is killed after 20 s (the hung cleanup's own timeout is 60 s), and the test then fails on its signal.
    let killer: NodeJS.Timeout | undefined;
    const result = await runNode(script, (_chunk, child) => {
      killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    });
    clearTimeout(killer);
    expect(result.stderr).toBe('');
    expect(result.signal).toBeNull();
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      codes: ['busy:RESOURCE_CLEANUP_DEADLINE_EXCEEDED', 'hung:RESOURCE_CLEANUP_DEADLINE_EXCEEDED'],
      timers: [],
      closed: true,
    });
  });

  it('on SIGTERM cleans a temp file and a listening server, then ends by the signal', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'patinox-signal-'));
    const file = join(dir, 'spool.txt');
    try {
      const script = `
        const { guard, installShutdownHooks } = require(${JSON.stringify(CJS_ENTRY)});
        const fs = require('node:fs'); const net = require('node:net');
        fs.writeFileSync(${JSON.stringify(file)}, 'x');
        guard(${JSON.stringify(file)}, (p) => fs.promises.rm(p), { name: 'spool' });
        const server = net.createServer().listen(0, '127.0.0.1', () => {
          guard(server, (s) => new Promise((r) => s.close(r)), { name: 'server' });
          installShutdownHooks({ deadlineMs: 5000, onReport: (r, t) => console.log('report', t, r.cleaned, r.complete) });
          console.log('ready');
        });`;
      const result = await runNode(script, (chunk, child) => {
        if (chunk.includes('ready')) child.kill('SIGTERM');
      });
      expect(result.stdout).toContain('report SIGTERM 2 true');
      expect(result.signal).toBe('SIGTERM');
      expect(existsSync(file)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs the 10,000-resource fault scenario with real timers and exits normally on beforeExit', async () => {
    const script = `
      const { ResourceRegistry, guard, installShutdownHooks } = require(${JSON.stringify(CJS_ENTRY)});
      const { PatinoxError } = require(${JSON.stringify(ERRORS_ENTRY)});
      const registry = new ResourceRegistry({ timeoutMs: 50, retryBaseDelayMs: 5, retryMaxDelayMs: 20 });
      const attempts = new Uint8Array(10000);
      for (let id = 0; id < 10000; id++) {
        const kind = id % 100 === 0 ? 'hang' : id % 20 === 1 ? 'flaky' : 'ok';
        guard({ id }, (r) => {
          attempts[r.id]++;
          if (kind === 'hang') return new Promise(() => {});
          if (kind === 'flaky' && attempts[r.id] === 1) throw new PatinoxError('busy', { code: 'EBUSY', recovery: 'retry' });
          return r.id % 2 ? undefined : Promise.resolve();
        }, { registry, name: 'res-' + id });
      }
      installShutdownHooks({ registry, deadlineMs: 30000, onReport: (r, trigger) => {
        const names = r.failures.map((f) => f.name);
        console.log(JSON.stringify({ trigger, cleaned: r.cleaned, failed: names.length, allHangs: names.every((n) => Number(n.slice(4)) % 100 === 0), codes: [...new Set(r.failures.map((f) => f.code))], stats: registry.stats().retried }));
      } });`;
    const result = await runNode(script);
    expect(result.code).toBe(0);
    expect(result.signal).toBeNull();
    expect(JSON.parse(result.stdout.trim())).toEqual({ trigger: 'beforeExit', cleaned: 9900, failed: 100, allHangs: true, codes: ['RESOURCE_CLEANUP_TIMEOUT'], stats: 500 });
  });
});

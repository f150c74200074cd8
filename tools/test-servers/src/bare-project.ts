import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A throw-away project outside the workspace, holding copies of built packages: what a user installs. */
export interface BareProject {
  readonly dir: string;
  /** Copies a built package (its package.json and dist/) to node_modules/@patinox/<name>. */
  install(name: string, packageDir: string): void;
  /** Links one real dependency (resolved from `fromDir`'s node_modules) into the project. */
  linkPeer(name: string, fromDir: string): void;
  /** Writes `source` to `file` and runs it with node from the project, in a user's environment. */
  run(file: string, source: string): { status: number | null; out: string };
  /** The names among `names` that resolve from the project (with `require.resolve`). */
  resolvable(names: readonly string[]): string[];
  /** Removes the project folder. */
  dispose(): void;
}

// Without NODE_PATH (pnpm sets it to the workspace's node_modules) and jest's NODE_OPTIONS: a user's shell.
const { NODE_PATH: _path, NODE_OPTIONS: _options, ...userEnv } = process.env;

/**
 * Creates a project in a temp folder where only what the test installs resolves: copies of built
 * packages (so nothing resolves back into the workspace) and the dependencies it links, for tests of
 * what a user has after `npm install @patinox/<pkg>` alone (for example, a missing optional peer).
 */
export function bareProject(prefix: string): BareProject {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bare-project', private: true }));
  const run = (file: string, source: string): { status: number | null; out: string } => {
    writeFileSync(join(dir, file), source);
    const child = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', env: userEnv });
    return { status: child.status, out: `${child.stdout}${child.stderr}` };
  };
  return {
    dir,
    install: (name, packageDir) => {
      const to = join(dir, 'node_modules', '@patinox', name);
      mkdirSync(to, { recursive: true });
      cpSync(join(packageDir, 'package.json'), join(to, 'package.json'));
      cpSync(join(packageDir, 'dist'), join(to, 'dist'), { recursive: true });
    },
    linkPeer: (name, fromDir) => {
      const to = join(dir, 'node_modules', name);
      mkdirSync(dirname(to), { recursive: true });
      symlinkSync(realpathSync(join(fromDir, 'node_modules', name)), to, 'dir');
    },
    run,
    resolvable: (names) => {
      const probe = run('probe.cjs', `console.log(JSON.stringify(${JSON.stringify(names)}.filter((p) => { try { require.resolve(p); return true; } catch { return false; } })));`);
      return JSON.parse(probe.out) as string[];
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

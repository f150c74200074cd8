import { describe, expect, it } from '@jest/globals';
import { ConfigData, MutableSharedData, SharedData } from '../src/index.js';

describe('README quick start', () => {
  it('runs as written', async () => {
    const log: string[] = [];
    const console = { log: (...args: unknown[]) => log.push(args.map(String).join(' ')) };
    // --- quick start (keep in sync with README.md) ---
    const routes = new SharedData<Record<string, string>>({ '/': 'home' });
    const reader = routes.cloneRef(); // cheap handle to the same snapshot
    routes.update((r) => { r['/about'] = 'about'; }); // copies: reader keeps the old one
    console.log(Object.keys(reader.get()).length, Object.keys(routes.get()).length); // 1 2
    reader[Symbol.dispose]();

    const counters = new MutableSharedData(new Map<string, number>());
    await counters.withWrite((m) => m.set('hits', (m.get('hits') ?? 0) + 1));
    console.log(await counters.withRead((m) => m.get('hits'))); // 1

    const config = new ConfigData({ poolSize: 10 }, { validate: (c) => c.poolSize > 0 || 'poolSize must be > 0' });
    config.subscribe((c, version) => console.log('v', version, c.poolSize)); // v 2 20
    config.update({ poolSize: 20 });
    // --- end quick start ---
    expect(log).toEqual(['1 2', '1', 'v 2 20']);
    config.close();
  });
});

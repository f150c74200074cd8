import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { startVerdaccio } from '../src/index.js';

describe('startVerdaccio', () => {
  it('serves a local registry on loopback that proxies nothing, and stops by pid, removing its folder', async () => {
    const registry = await startVerdaccio();
    try {
      expect(registry.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(existsSync(registry.dir)).toBe(true);
      expect(registry.token.length).toBeGreaterThan(0);
      // Nothing published yet, and no uplink to fetch from: the scope is empty, other packages are refused.
      expect((await fetch(`${registry.url}@patinox%2ferrors`)).status).toBe(404);
      expect((await fetch(`${registry.url}lodash`)).status).not.toBe(200);
      const whoami = await fetch(`${registry.url}-/whoami`, { headers: { authorization: `Bearer ${registry.token}` } });
      expect(whoami.status).toBe(200);
    } finally {
      await registry.stop();
    }
    expect(existsSync(registry.dir)).toBe(false);
    expect(() => process.kill(registry.pid, 0)).toThrow();
  }, 60_000);
});

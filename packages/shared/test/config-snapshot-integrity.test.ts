import { describe, expect, it } from '@jest/globals';
import { ConfigData, ConfigReplica } from '../src/index.js';

interface Settings {
  poolSize: number;
}

const positive = (c: Settings): string | true => c.poolSize > 0 || 'poolSize must be > 0';

// Writes through a value typed read-only, as plain JavaScript callers can: strict mode throws on a frozen
// target, so the attempt is caught and only its effect on the configuration is checked.
function tamper(snapshot: object, field: string, value: unknown): void {
  try {
    (snapshot as Record<string, unknown>)[field] = value;
  } catch {
    // Refused: what the test wants.
  }
}

describe('ConfigData snapshots', () => {
  it('cannot be changed by whoever holds one: no unvalidated configuration, no version jump', () => {
    const config = new ConfigData<Settings>({ poolSize: 1 }, { validate: positive });
    const snapshot = config.snapshot();
    tamper(snapshot, 'config', { poolSize: -5 });
    tamper(snapshot, 'version', 99);
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(config.get()).toEqual({ poolSize: 1 });
    expect(config.version).toBe(1);
    expect(config.update({ poolSize: 2 })).toBe(2);
    expect(Object.isFrozen(config.snapshot())).toBe(true);
  });

  it('yielded by an iterator cannot be changed either', async () => {
    const config = new ConfigData<Settings>({ poolSize: 1 });
    const iterator = config.subscribe();
    const first = await iterator.next();
    tamper(first.value as object, 'version', 50);
    expect(config.version).toBe(1);
    await iterator.return?.();
  });

  it('of a replica cannot be changed by whoever holds one', async () => {
    const config = new ConfigData<Settings>({ poolSize: 1 });
    const replica = ConfigReplica.from(config.share());
    try {
      config.update({ poolSize: 2 });
      while (replica.version !== 2) await new Promise((resolve) => setImmediate(resolve));
      const snapshot = replica.snapshot();
      tamper(snapshot, 'config', { poolSize: -1 });
      tamper(snapshot, 'version', 7);
      expect(replica.get()).toEqual({ poolSize: 2 });
      expect(replica.version).toBe(2);
    } finally {
      config.close();
      replica.close();
    }
  });
});

describe('ConfigData versions', () => {
  it('stay unique and increasing when validate or a migration updates the same configuration', () => {
    let nested = false;
    const config: ConfigData<Settings> = new ConfigData<Settings>(
      { poolSize: 1 },
      {
        validate: (c) => {
          if (c.poolSize === 2 && !nested) {
            nested = true;
            config.update({ poolSize: 3 });
          }
          return true;
        },
      },
    );
    const seen: [number, number][] = [];
    config.subscribe((c, version) => seen.push([version, c.poolSize]));
    const version = config.update({ poolSize: 2 });
    expect(version).toBe(3);
    expect(config.snapshot()).toEqual({ config: { poolSize: 2 }, version: 3 });
    // Each version names one configuration, and every subscriber ends on the one in force.
    expect(seen).toEqual([
      [2, 3],
      [3, 2],
    ]);
  });
});

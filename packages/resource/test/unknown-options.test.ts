import { describe, expect, it } from '@jest/globals';
import { ResourceRegistry, ResourceScope, adopt, guard, installShutdownHooks } from '../src/index.js';

const unknown = (key: string, hint: string): TypeError => new TypeError(`Expected \`options\` to have only known keys, got unknown key \`${key}\`; ${hint}`);

describe('unknown option keys', () => {
  it('the registry, its shutdown and forceCleanupAll refuse a typo, naming the option it most likely meant', async () => {
    expect(() => new ResourceRegistry({ timeout: 5 } as never)).toThrow(unknown('timeout', 'did you mean `timeoutMs`?'));
    const registry = new ResourceRegistry({ name: 'typos' });
    expect(() => registry.forceCleanupAll({ deadline: 5 } as never)).toThrow(unknown('deadline', 'did you mean `deadlineMs`?'));
    expect(() => registry.shutdown({ deadlineMS: 5 } as never)).toThrow(unknown('deadlineMS', 'did you mean `deadlineMs`?'));
    await registry.shutdown();
  });

  it('guards refuse a typo wherever they are made, and nothing is tracked', async () => {
    const registry = new ResourceRegistry({ name: 'guards' });
    expect(() => guard({}, () => undefined, { registry, priorty: 2 } as never)).toThrow(unknown('priorty', 'did you mean `priority`?'));
    expect(() => registry.guard({}, () => undefined, { sizeByte: 1 } as never)).toThrow(unknown('sizeByte', 'did you mean `sizeBytes`?'));
    expect(() => registry.adopt({ [Symbol.dispose]() {} }, { nmae: 'x' } as never)).toThrow(unknown('nmae', 'did you mean `name`?'));
    expect(() => adopt({ [Symbol.dispose]() {} }, { registry, colour: 'red' } as never)).toThrow(/unknown key `colour`; known keys: name, priority, sizeBytes, metadata, timeoutMs, registry$/);
    const scope = new ResourceScope({ registry });
    expect(() => scope.defer(() => undefined, { timeoutms: 5 } as never)).toThrow(unknown('timeoutms', 'did you mean `timeoutMs`?'));
    expect(registry.stats().active).toBe(0);
    await scope.cleanup();
    await registry.shutdown();
  });

  it('scopes and shutdown hooks refuse a typo', () => {
    expect(() => new ResourceScope({ registy: undefined } as never)).toThrow(unknown('registy', 'did you mean `registry`?'));
    expect(() => installShutdownHooks({ signal: ['SIGUSR2'] } as never)).toThrow(unknown('signal', 'did you mean `signals`?'));
  });
});

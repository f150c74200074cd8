// A scenario runner shared by the property tests of MutableSharedData and SharedRwLock: actors arrive,
// wait for a lock, hold it for a few event-loop turns and release it; the runner records every
// violation of the reader-writer invariants and every waiter that was never served.
import fc from 'fast-check';

export interface Actor {
  mode: 'read' | 'write';
  arrive: number;
  hold: number;
  abortAfter: number | undefined;
}

export interface LockUnderTest {
  acquire(mode: 'read' | 'write', signal: AbortSignal | undefined): Promise<() => void>;
}

export interface Outcome {
  violations: string[];
  served: number;
  aborted: number;
  hung: boolean;
}

export const actorArb: fc.Arbitrary<Actor> = fc.record({
  mode: fc.constantFrom<'read' | 'write'>('read', 'read', 'write'),
  arrive: fc.nat(6),
  hold: fc.nat(4),
  abortAfter: fc.option(fc.nat(5), { nil: undefined, freq: 4 }),
});

export function turns(n: number): Promise<void> {
  let p = Promise.resolve();
  for (let i = 0; i < n; i += 1) p = p.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
  return p;
}

export async function runScenario(lock: LockUnderTest, actors: readonly Actor[]): Promise<Outcome> {
  let readers = 0;
  let writers = 0;
  const violations: string[] = [];
  let served = 0;
  let aborted = 0;
  const all = Promise.all(
    actors.map(async (actor, id) => {
      await turns(actor.arrive);
      const controller = actor.abortAfter === undefined ? undefined : new AbortController();
      if (controller !== undefined) void turns(actor.abortAfter ?? 0).then(() => controller.abort());
      let release: () => void;
      try {
        release = await lock.acquire(actor.mode, controller?.signal);
      } catch (error) {
        if ((error as { code?: string }).code !== 'SHARED_LOCK_ABORTED' || controller === undefined) violations.push(`actor ${id}: ${String(error)}`);
        aborted += 1;
        return;
      }
      if (actor.mode === 'write') {
        if (writers > 0 || readers > 0) violations.push(`writer ${id} entered with ${writers} writers, ${readers} readers`);
        writers += 1;
      } else {
        if (writers > 0) violations.push(`reader ${id} entered during a write`);
        readers += 1;
      }
      await turns(actor.hold);
      if (actor.mode === 'write') writers -= 1;
      else readers -= 1;
      served += 1;
      release();
    }),
  );
  const budget = 400 + actors.length * 40;
  const hung = await Promise.race<boolean>([all.then(() => false), turns(budget).then(() => true)]);
  return { violations, served, aborted, hung };
}

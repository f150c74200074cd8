import { describe, expect, it } from '@jest/globals';
import { PatinoxError, serializeError } from '../src/index.js';

// A cause reached twice through different branches (a DAG) is not a cycle: only an error that is its own
// ancestor is `{ circular: true }`; a repeated non-ancestor is serialized again where it appears.

describe('serializeError on shared causes', () => {
  it('serializes a cause shared by two AggregateError members in both places', () => {
    const root = new Error('disk full');
    const a = new Error('write a', { cause: root });
    const b = new Error('write b', { cause: root });
    const json = serializeError(new AggregateError([a, b], 'both writes failed'));
    expect(json.errors?.map((e) => e.cause)).toEqual([
      expect.objectContaining({ message: 'disk full' }),
      expect.objectContaining({ message: 'disk full' }),
    ]);
    expect(JSON.stringify(json)).not.toContain('circular');
  });

  it('serializes the same error listed twice in an AggregateError twice', () => {
    const same = new Error('timeout');
    const json = serializeError(new AggregateError([same, same], 'retries'));
    expect(json.errors?.map((e) => e.message)).toEqual(['timeout', 'timeout']);
  });

  it('serializes a cause that is also the cause of a sibling member (cause and member at once)', () => {
    const shared = new PatinoxError('pool timed out', { code: 'POOL_TIMEOUT' });
    const wrapper = new PatinoxError('query failed', { code: 'Q', cause: shared });
    const json = serializeError(new AggregateError([wrapper, shared], 'x'));
    expect(json.errors?.[0]?.cause).toMatchObject({ code: 'POOL_TIMEOUT' });
    expect(json.errors?.[1]).toMatchObject({ code: 'POOL_TIMEOUT' });
  });

  it('still cuts a true cycle, an error that is its own ancestor', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(serializeError(b)).toMatchObject({ message: 'b', cause: { message: 'a', cause: { circular: true } } });
    const self = new Error('self');
    (self as { cause?: unknown }).cause = self;
    expect(serializeError(self).cause).toEqual({ circular: true });
    const agg = new AggregateError([], 'agg');
    (agg as { errors: unknown[] }).errors = [agg, new Error('other')];
    expect(serializeError(agg).errors?.map((e) => e.message)).toEqual(['other']);
  });

  it('stays bounded on a DAG that doubles at each level, marking where it stopped', () => {
    let level: Error = new Error('leaf');
    for (let i = 0; i < 40; i += 1) level = new AggregateError([level, level], `level ${i}`);
    const json = serializeError(level);
    const text = JSON.stringify(json);
    expect(text.length).toBeLessThan(5_000_000);
    expect(text).toContain('"truncated":true');
  });
});

import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { describeThrown } from '@patinox/errors';

// RedisBackend's RedisClient, spelled out so the two files do not import each other.
type RedisClient = Redis | Cluster;

/**
 * Compare-and-set over several keys. KEYS: the checked keys, then the written ones; ARGV: the number of
 * checks, each check's expected value (`''` for "absent"), then a value (`''` deletes) and a TTL in ms
 * (`0` for none) per write. Atomically: the writes apply only if every checked key still holds its
 * expected value, and no other client runs between the checks and the writes. Returns 1 when applied, 0
 * when a check failed (nothing written).
 */
const CAS_SCRIPT = `
local nc = tonumber(ARGV[1])
for i = 1, nc do
  local cur = redis.call('GET', KEYS[i])
  local exp = ARGV[1 + i]
  if exp == '' then
    if cur then return 0 end
  elseif cur ~= exp then
    return 0
  end
end
local a = 2 + nc
for i = nc + 1, #KEYS do
  local v = ARGV[a]
  local ttl = tonumber(ARGV[a + 1])
  a = a + 2
  if v == '' then
    redis.call('DEL', KEYS[i])
  elseif ttl > 0 then
    redis.call('SET', KEYS[i], v, 'PX', ttl)
  else
    redis.call('SET', KEYS[i], v)
  end
end
return 1`;

/**
 * Adds to a counter stored as one header byte and a decimal integer. ARGV: delta, TTL in ms (`0` for
 * none), header byte. Atomically: read, add and write back, so concurrent increments never lose one; a
 * value that is not such a counter is left alone and answered with `NOTCOUNTER`. A new counter gets the
 * TTL; an existing one keeps its own. Returns the new count.
 *
 * Lua numbers are doubles: past 2^53 a sum is rounded, and the reply reaches JavaScript as a double too.
 * A count or result outside ±(2^53 - 1) is answered with `NOTSAFE` and nothing is written (a rounded sum
 * never falls back inside that range, so the check is exact).
 */
const INCR_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
local header = tonumber(ARGV[3])
local safe = 9007199254740991
local n = 0
if cur then
  if string.byte(cur, 1) ~= header then return redis.error_reply('NOTCOUNTER') end
  n = tonumber(string.sub(cur, 2))
  if not n then return redis.error_reply('NOTCOUNTER') end
end
local outside = 'NOTSAFE the count leaves the safe integer range'
if n > safe or n < -safe then return redis.error_reply(outside) end
n = n + tonumber(ARGV[1])
if n > safe or n < -safe then return redis.error_reply(outside) end
local v = string.char(header) .. string.format('%d', n)
local ttl = tonumber(ARGV[2])
if (not cur) and ttl > 0 then
  redis.call('SET', KEYS[1], v, 'PX', ttl)
else
  redis.call('SET', KEYS[1], v, 'KEEPTTL')
end
return n`;

/**
 * Adds members to a set (a tag's key list). ARGV: TTL in ms (`0` for none), then the members.
 * Atomically with the add: the set lives at least the TTL from now, and a longer TTL (or none) already
 * on it is never shortened; a TTL of 0 makes it persistent. Returns 1.
 */
const SADD_SCRIPT = `
local existed = redis.call('EXISTS', KEYS[1])
redis.call('SADD', KEYS[1], unpack(ARGV, 2))
local ttl = tonumber(ARGV[1])
if ttl <= 0 then
  redis.call('PERSIST', KEYS[1])
  return 1
end
local cur = redis.call('PTTL', KEYS[1])
if existed == 0 or (cur >= 0 and cur < ttl) then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1`;

/**
 * Releases a lock. ARGV: the holder's token. Atomically: deletes the key only while it still holds that
 * token, so a holder whose lock expired and was taken by another never releases the other's. Returns 1
 * when released, 0 otherwise.
 */
const UNLOCK_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** A Lua script with its SHA-1, for EVALSHA. */
export interface Script {
  source: string;
  sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** The server-side scripts of `RedisBackend`: compare-and-set, counter increment, set add with TTL, lock release. */
export const SCRIPTS = { cas: script(CAS_SCRIPT), incr: script(INCR_SCRIPT), sadd: script(SADD_SCRIPT), unlock: script(UNLOCK_SCRIPT) };

/** Runs `s` by its SHA; on `NOSCRIPT` (a restarted or fresh server) sends the source once, which also caches it there. */
export async function evalScript(client: RedisClient, s: Script, keys: readonly string[], args: readonly (string | Buffer)[]): Promise<unknown> {
  try {
    return await client.evalsha(s.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!describeThrown(err).startsWith('NOSCRIPT')) throw err;
    return client.eval(s.source, keys.length, ...keys, ...args);
  }
}

/**
 * Atomically keeps the newest quote of a symbol and announces it, so redelivered or reordered ticks
 * never move a stored quote backwards and every stored quote is published exactly once.
 * KEYS[1] quote hash; ARGV: seq, quote JSON, TTL in ms, channel. Returns 1 if stored, 0 if stale.
 */
export const STORE_QUOTE_LUA = `
local current = tonumber(redis.call('HGET', KEYS[1], 'seq'))
local seq = tonumber(ARGV[1])
if current and current >= seq then
  return 0
end
redis.call('HSET', KEYS[1], 'seq', ARGV[1], 'json', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', ARGV[4], ARGV[2])
return 1
`;

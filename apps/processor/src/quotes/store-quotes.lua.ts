/**
 * Stores and announces a batch of quotes atomically, with the rule of one quote per call before it:
 * a quote is published (once) and kept only if its seq is newer than the symbol's stored one, so
 * redelivered or reordered ticks never move a stored quote backwards. Quotes of a symbol are applied in
 * the order given; each symbol's hash is written once per call, with its newest quote.
 *
 * Every write comes before the first PUBLISH. A script is not rolled back when a command fails, and
 * Redis refuses a write command in the middle of a script (OOM under `maxmemory`, READONLY on a
 * replica) but not PUBLISH: with the publishes first, a refused write left quotes announced but not
 * stored, and every retry announced them again. Redis checks OOM at a script's first write only, so
 * with the writes first a refused script has done nothing at all.
 *
 * KEYS: the quote hash of each quote. ARGV[1]: TTL in ms; then per quote i: seq, quote JSON, channel
 * (ARGV[3i-1], ARGV[3i], ARGV[3i+1]). Returns how many quotes were stored and published.
 */
export const STORE_QUOTES_LUA = `
local ttl = ARGV[1]
local newest = {}
local fresh = {}
for i = 1, #KEYS do
  local key = KEYS[i]
  local seq = tonumber(ARGV[3 * i - 1])
  local state = newest[key]
  if state == nil then
    state = { seq = tonumber(redis.call('HGET', key, 'seq')) or -1 }
    newest[key] = state
  end
  if seq > state.seq then
    state.seq = seq
    state.seqArg = ARGV[3 * i - 1]
    state.json = ARGV[3 * i]
    fresh[#fresh + 1] = i
  end
end
for key, state in pairs(newest) do
  if state.json then
    redis.call('HSET', key, 'seq', state.seqArg, 'json', state.json)
    redis.call('PEXPIRE', key, ttl)
  end
end
for _, i in ipairs(fresh) do
  redis.call('PUBLISH', ARGV[3 * i + 1], ARGV[3 * i])
end
return #fresh
`;

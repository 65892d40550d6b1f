/**
 * Stores and announces a batch of quotes atomically, with the rule of one quote per call before it:
 * a quote is published (once) and kept only if its seq is newer than the symbol's stored one, so
 * redelivered or reordered ticks never move a stored quote backwards. Quotes of a symbol are applied in
 * the order given; each symbol's hash is written once per call, with its newest quote.
 * KEYS: the quote hash of each quote. ARGV[1]: TTL in ms; then per quote i: seq, quote JSON, channel
 * (ARGV[3i-1], ARGV[3i], ARGV[3i+1]). Returns how many quotes were stored and published.
 */
export const STORE_QUOTES_LUA = `
local ttl = ARGV[1]
local newest = {}
local stored = 0
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
    redis.call('PUBLISH', ARGV[3 * i + 1], state.json)
    stored = stored + 1
  end
end
for key, state in pairs(newest) do
  if state.json then
    redis.call('HSET', key, 'seq', state.seqArg, 'json', state.json)
    redis.call('PEXPIRE', key, ttl)
  end
end
return stored
`;

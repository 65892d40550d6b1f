/**
 * A token bucket per client address, atomic in Redis so every gateway draws on the same one.
 * KEYS[1]: the address's bucket hash. ARGV[1]: tokens per second, ARGV[2]: burst.
 * Time is Redis' own (TIME), so gateways with skewed clocks still agree. The hash expires once it would
 * have refilled to the burst anyway: an idle address leaves nothing behind.
 * Returns 1 when a token was taken, 0 when the bucket is empty.
 */
export const TAKE_ADDRESS_TOKEN_LUA = `
local per_ms = tonumber(ARGV[1]) / 1000
local burst = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1])
local at = tonumber(bucket[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
tokens = math.min(burst, tokens + math.max(0, now - at) * per_ms)
local taken = 0
if tokens >= 1 then
  tokens = tokens - 1
  taken = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / per_ms) + 1000)
return taken
`;

/**
 * Stores, records and announces a batch of quotes atomically, with the rule of one quote per call
 * before it: a quote is kept, appended to its symbol's history, counted in its bars and published
 * (once) only if its seq is newer than the symbol's stored one, so redelivered or reordered ticks
 * never move a stored quote backwards, never enter history twice and never count twice in a bar.
 *
 * Every write comes before the first PUBLISH. A script is not rolled back when a command fails, and
 * Redis refuses a write command in the middle of a script (OOM under `maxmemory`, READONLY on a
 * replica) but not PUBLISH: with the publishes first, a refused write left quotes announced but not
 * stored, and every retry announced them again. Redis checks OOM at a script's first write only, so
 * with the writes first a refused script has done nothing at all.
 *
 * A symbol's own keys can refuse its quotes too: a history stream whose last ID is at or past the
 * quote's seq (an entry from a clock running ahead, or a quote hash gone while its history remains)
 * fails the XADD; a key of the wrong type fails with WRONGTYPE. Such a failure stays with its symbol
 * group: each group runs under pcall, does every read and check before its first write (the XADD that
 * can fail), and adds its publishes only once it is through, so a refused group has written and
 * announced nothing while the other groups of the call are stored and published. A Redis fault (OOM,
 * READONLY, ...) still fails the whole call, to be retried.
 *
 * Numbers: seqs (16 digits) and JSON are kept as the strings given, never passed through a Lua number
 * (Lua's tostring keeps 14 digits). Prices, volumes and times fit in 14.
 *
 * In a Redis Cluster a call's keys must share one slot: the caller sends one call per slot (the
 * symbols' hash tags put all of a symbol's keys and channels in its slot), and publishes with SPUBLISH,
 * so each message stays within the shard that holds the symbol instead of crossing the cluster bus.
 *
 * Whole state: the call's last key is its slot's state key (see RedisState), which holds the run_id of
 * the Redis server run whose data is whole (written or rebuilt from Kafka in that run). A live call in
 * any other run (the server restarted from an AOF that may be a second behind, or empty; a replica was
 * promoted) writes nothing and fails with STATE_LOST, so no live quote lands ahead of the ticks the
 * rebuild must put back first. A replay call (`REPLAY:<run_id>` as publish command, from the rebuild)
 * publishes nothing and fails with STATE_LOST if the server is not in the run it started in.
 * A symbol without a stored quote (it expired) takes its last seq from its history's newest entry, so a
 * replayed tick is never appended below it (XADD refuses an ID below the top).
 *
 * Layout, per symbol S of the batch (quotes of a symbol in the order given):
 *   KEYS: quote hash, history stream, then one bar sorted set per interval; after every symbol's, the state key.
 *   ARGV header: publish command (PUBLISH, or SPUBLISH in a cluster, or REPLAY:<run_id>), quote TTL ms, history max length,
 *     history max age ms, interval count, then per interval: name, length ms, retention ms.
 *   ARGV per symbol: symbol, quote channel, one bar channel per interval, quote count n, then n times:
 *     seq, quote JSON, price, volume, timestamp ms.
 * Returns, per symbol group of ARGV in order, how many of its quotes were stored and published, or
 * the error that refused the group, as a string (a symbol may come in more than one group: the caller
 * merges the batches of several partitions).
 */
export const STORE_QUOTES_LUA = `
local runId = string.match(redis.call('INFO', 'server'), 'run_id:(%x+)')
local replay = string.sub(ARGV[1], 1, 7) == 'REPLAY:'
if (replay and string.sub(ARGV[1], 8) ~= runId) or (not replay and redis.call('GET', KEYS[#KEYS]) ~= runId) then
  return redis.error_reply('STATE_LOST Redis does not hold the whole state in this run (' .. runId .. '): rebuilding from Kafka')
end
local publish = ARGV[1] == 'SPUBLISH' and 'SPUBLISH' or 'PUBLISH'
local ttl, historyMax, historyAgeMs = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local intervalCount = tonumber(ARGV[5])
local intervals = {}
local quoteFields = { 'seq', 'vol', 'ts' }
local a = 6
for j = 1, intervalCount do
  intervals[j] = { name = ARGV[a], length = tonumber(ARGV[a + 1]), retention = tonumber(ARGV[a + 2]) }
  quoteFields[3 + j] = 'bar:' .. ARGV[a]
  a = a + 3
end
local keysPerSymbol = 2 + intervalCount

-- A bar's prices are kept as the strings the caller sent (no float formatting here), with their numbers
-- beside them for comparing; start, volume and ticks are whole numbers.
local function barJson(symbol, name, bar, closed)
  return '{"symbol":"' .. symbol .. '","interval":"' .. name .. '","start":' .. bar.start ..
    ',"open":' .. bar.open .. ',"high":' .. bar.high .. ',"low":' .. bar.low .. ',"close":' .. bar.close ..
    ',"volume":' .. bar.volume .. ',"ticks":' .. bar.ticks .. ',"seq":' .. bar.seq .. ',"closed":' .. closed .. '}'
end

-- The open bar as the quote hash keeps it: "start open high low close volume ticks".
local function packBar(bar)
  return bar.start .. ' ' .. bar.open .. ' ' .. bar.high .. ' ' .. bar.low .. ' ' .. bar.close .. ' ' .. bar.volume .. ' ' .. bar.ticks
end

local function unpackBar(packed, seq)
  local start, open, high, low, close, volume, ticks = string.match(packed, '^(%d+) (%S+) (%S+) (%S+) (%S+) (%S+) (%d+)$')
  if not start then return nil end
  return { start = tonumber(start), open = open, high = high, highN = tonumber(high), low = low, lowN = tonumber(low),
    close = close, volume = tonumber(volume), ticks = tonumber(ticks), seq = seq }
end

-- The open bar from its sorted set, where the quote hash has none (it expired, or was written before
-- the hash kept bars).
local function loadBar(key)
  local member = redis.call('ZRANGE', key, -1, -1)[1]
  if not member then return nil end
  local bar = cjson.decode(member)
  return { start = bar.start, open = tostring(bar.open), high = tostring(bar.high), highN = bar.high,
    low = tostring(bar.low), lowN = bar.low, close = tostring(bar.close), volume = bar.volume, ticks = bar.ticks,
    seq = string.match(member, '"seq":(%d+)') }
end

-- Errors that are Redis's state, not a symbol's keys: the whole call fails and is retried as it was.
local redisFaults = { 'OOM', 'READONLY', 'NOREPLICAS', 'MASTERDOWN', 'MISCONF', 'LOADING', 'BUSY', 'CLUSTERDOWN', 'TRYAGAIN', 'MOVED', 'ASK' }
local function isRedisFault(message)
  local word = string.match(message, '^(%u+)')
  for _, fault in ipairs(redisFaults) do
    if word == fault then return true end
  end
  return false
end

-- A bar key of another type would fail at its first write, after the quote and history writes.
local function checkSortedSet(key)
  local kind = redis.call('TYPE', key).ok
  if kind ~= 'zset' and kind ~= 'none' then error('WRONGTYPE ' .. key .. ' holds a ' .. kind .. ', not a sorted set', 0) end
end

local publishes = {}

-- One symbol group starting at KEYS[k + 1] and ARGV[a]: its fresh quote count. Everything that can fail
-- because of the symbol's keys fails before its first write or at it (the first XADD: a stream whose
-- last ID is at or past the quote's seq), so a group that fails has written nothing, and its publishes
-- join the others only once it is through.
local function storeGroup(k, a)
  local quoteKey, historyKey = KEYS[k + 1], KEYS[k + 2]
  local symbol, quoteChannel = ARGV[a], ARGV[a + 1]
  local barChannels = {}
  for j = 1, intervalCount do barChannels[j] = ARGV[a + 1 + j] end
  local n = tonumber(ARGV[a + intervalCount + 2])
  a = a + intervalCount + 3

  local stored = redis.call('HMGET', quoteKey, unpack(quoteFields))
  local storedSeq = stored[1]
  local lastSeq = tonumber(storedSeq) or -1
  if not storedSeq then
    local top = redis.call('XREVRANGE', historyKey, '+', '-', 'COUNT', 1)[1]
    if top then lastSeq = tonumber(string.match(top[1], '^(%d+)')) end
  end
  local lastVolume = tonumber(stored[2])
  local lastTs = tonumber(stored[3])
  local bars, closed, opened = {}, {}, {}
  local newestSeq, newestJson, newestTs
  local freshAt = {}
  for i = 1, n do
    local seqArg, priceArg = ARGV[a], ARGV[a + 2]
    local seq, price, volume, ts = tonumber(seqArg), tonumber(priceArg), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
    if seq > lastSeq then
      local traded = 0
      if lastVolume then traded = volume >= lastVolume and volume - lastVolume or volume end
      lastSeq, lastVolume = seq, volume
      newestSeq, newestJson, newestTs = seqArg, ARGV[a + 1], ts
      freshAt[#freshAt + 1] = a
      for j = 1, intervalCount do
        local length = intervals[j].length
        local start = math.floor(ts / length) * length
        local bar = bars[j]
        if bar == nil then
          bar = storedSeq and stored[3 + j] and unpackBar(stored[3 + j], storedSeq) or loadBar(KEYS[k + 2 + j]) or false
        end
        if bar and start > bar.start then
          closed[#closed + 1] = { j, bar }
          bar = false
        end
        if bar then
          if price > bar.highN then bar.high, bar.highN = priceArg, price end
          if price < bar.lowN then bar.low, bar.lowN = priceArg, price end
          bar.close, bar.volume, bar.ticks, bar.seq = priceArg, bar.volume + traded, bar.ticks + 1, seqArg
        else
          bar = { start = start, open = priceArg, high = priceArg, highN = price, low = priceArg, lowN = price,
            close = priceArg, volume = traded, ticks = 1, seq = seqArg }
          opened[j] = true
        end
        bars[j] = bar
      end
    end
    a = a + 5
  end
  if not newestSeq then return 0 end
  for j = 1, intervalCount do checkSortedSet(KEYS[k + 2 + j]) end

  local mine = {}
  for _, at in ipairs(freshAt) do
    redis.call('XADD', historyKey, 'MAXLEN', '~', historyMax, ARGV[at] .. '-0', 'json', ARGV[at + 1], 'ts', ARGV[at + 4])
    mine[#mine + 1] = { quoteChannel, ARGV[at + 1] }
  end
  local quote = { 'seq', newestSeq, 'json', newestJson, 'vol', lastVolume, 'ts', newestTs }
  for j = 1, intervalCount do
    quote[#quote + 1] = quoteFields[3 + j]
    quote[#quote + 1] = packBar(bars[j])
  end
  redis.call('HSET', quoteKey, unpack(quote))
  redis.call('PEXPIRE', quoteKey, ttl)
  -- The history's expiry and age trim, once a second per symbol (at its first quote of a new
  -- second): done per quote, they were a fifth of the script's time.
  local oldest = nil
  if not lastTs or math.floor(newestTs / 1000) ~= math.floor(lastTs / 1000) then
    redis.call('PEXPIRE', historyKey, historyAgeMs)
    oldest = redis.call('XRANGE', historyKey, '-', '+', 'COUNT', 1)[1]
  end
  if oldest and tonumber(oldest[2][4]) < newestTs - historyAgeMs then
    -- Trim by age a page at a time: entries older than the limit up to the first young enough one.
    local page = redis.call('XRANGE', historyKey, '-', '+', 'COUNT', 100)
    local keep = nil
    for _, entry in ipairs(page) do
      if tonumber(entry[2][4]) >= newestTs - historyAgeMs then keep = entry[1] break end
    end
    if keep then redis.call('XTRIM', historyKey, 'MINID', keep)
    else redis.call('XTRIM', historyKey, 'MINID', string.match(page[#page][1], '^(%d+)') .. '-1') end
  end
  -- Bars: each one closed by this batch, then the current one, written whole and announced once.
  for _, c in ipairs(closed) do
    local j, bar = c[1], c[2]
    local key, json = KEYS[k + 2 + j], barJson(symbol, intervals[j].name, bar, 'true')
    redis.call('ZREMRANGEBYSCORE', key, bar.start, bar.start)
    redis.call('ZADD', key, bar.start, json)
    mine[#mine + 1] = { barChannels[j], json }
  end
  for j = 1, intervalCount do
    local key, bar = KEYS[k + 2 + j], bars[j]
    local json = barJson(symbol, intervals[j].name, bar, 'false')
    redis.call('ZREMRANGEBYSCORE', key, bar.start, bar.start)
    redis.call('ZADD', key, bar.start, json)
    if opened[j] then
      -- Retention and expiry move only when a bar opens.
      redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. tostring(bar.start - intervals[j].retention))
      redis.call('PEXPIRE', key, intervals[j].retention)
    end
    mine[#mine + 1] = { barChannels[j], json }
  end
  for _, p in ipairs(mine) do publishes[#publishes + 1] = p end
  return #freshAt
end

local results = {}
local k = 0
while a <= #ARGV do
  local ok, result = pcall(storeGroup, k, a)
  if not ok then
    local message = type(result) == 'table' and result.err or tostring(result)
    if isRedisFault(message) then return redis.error_reply(message) end
    result = message
  end
  results[#results + 1] = result
  a = a + intervalCount + 3 + 5 * tonumber(ARGV[a + intervalCount + 2])
  k = k + keysPerSymbol
end
if not replay then
  for _, p in ipairs(publishes) do redis.call(publish, p[1], p[2]) end
end
return results
`;

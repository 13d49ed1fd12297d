import { LuaScript } from './lua-script.js';

/*
 * The Lua side of RedisStore. Key layout under the prefix P (for example `incident-bridge:`):
 *   P incident-seq             INCR counter behind INC-<n>
 *   P incident:<id>            the incident as JSON without its alerts: `alertIds` names them in
 *                              order (incidents written by earlier versions hold `alerts` inside)
 *   P incident-alerts:<id>     hash alert id -> the alert as JSON; a write sets only the alerts that
 *                              changed, so an incident growing to thousands of alerts is not
 *                              written whole on every delivery
 *   P group:<grouping key>     hash {id, v}: the incident current for the key, and a version that
 *                              grows with every write of any incident of the key
 *   P index:all                sorted sets of incident ids scored by incident number (newest first
 *   P index:status:<status>    with ZREVRANGE); written in the same script as the incident, so they
 *   P index:source:<source>    never disagree with it for long
 *   P index:expiring           sorted set of resolved/closed incidents scored by when they leave
 *
 * Scripts build key names from the prefix instead of receiving them in KEYS, because which incident
 * a group points to is only known inside the script. That is fine on a standalone Redis and behind
 * Sentinel; it is not meant for Redis Cluster (BullMQ builds its job keys the same way).
 */

/**
 * ARGV: prefix, grouping key, incident id or '' for the one current for the key.
 * Returns {current id of the group, group version, incident JSON, its alerts as HGETALL gives them},
 * the first three nil when absent.
 */
export const READ_SCRIPT = new LuaScript(`
local p = ARGV[1]
local group = redis.call('HMGET', p .. 'group:' .. ARGV[2], 'id', 'v')
local id = ARGV[3]
if id == '' then id = group[1] end
local json = false
local alerts = {}
if id then
  json = redis.call('GET', p .. 'incident:' .. id)
  if json then alerts = redis.call('HGETALL', p .. 'incident-alerts:' .. id) end
end
return {group[1], group[2], json, alerts}
`);

/** ARGV: prefix, then incident ids. Returns, per id, its JSON (nil when gone) and its alerts' hash. */
export const GET_SCRIPT = new LuaScript(`
local p = ARGV[1]
local out = {}
for i = 2, #ARGV do
  local json = redis.call('GET', p .. 'incident:' .. ARGV[i])
  local alerts = {}
  if json then alerts = redis.call('HGETALL', p .. 'incident-alerts:' .. ARGV[i]) end
  out[#out + 1] = json
  out[#out + 1] = alerts
end
return out
`);

/**
 * Compare-and-set of one incident. ARGV:
 *   1 prefix, 2 grouping key, 3 expected current id ('' none), 4 expected version ('' none),
 *   5 incident id, 6 incident JSON without alerts, 7 score (incident number), 8 '1' to make it current
 *   for the key, 9 '1' when it must already exist (an update, not a new incident), 10 retention in ms
 *   ('0': keep), 11 how many index names to add it to, 12 how many to remove it from, 13 how many
 *   alerts to set; then those index names, those index names, the alerts as id and JSON pairs, and
 *   last the ids of alerts to delete.
 * Returns 1 when written, 0 when the group changed since it was read, -1 when the incident is gone.
 */
export const WRITE_SCRIPT = new LuaScript(`
local p = ARGV[1]
local groupKey = p .. 'group:' .. ARGV[2]
local group = redis.call('HMGET', groupKey, 'id', 'v')
if (group[1] or '') ~= ARGV[3] or (group[2] or '') ~= ARGV[4] then return 0 end
local id = ARGV[5]
local incidentKey = p .. 'incident:' .. id
local alertsKey = p .. 'incident-alerts:' .. id
if ARGV[9] == '1' and redis.call('EXISTS', incidentKey) == 0 then return -1 end

redis.call('SET', incidentKey, ARGV[6])
if ARGV[8] == '1' then redis.call('HSET', groupKey, 'id', id) end
redis.call('HINCRBY', groupKey, 'v', 1)

local adds, removes, sets = tonumber(ARGV[11]), tonumber(ARGV[12]), tonumber(ARGV[13])
local at = 14
for i = at, at + adds - 1 do redis.call('ZADD', p .. ARGV[i], ARGV[7], id) end
at = at + adds
for i = at, at + removes - 1 do redis.call('ZREM', p .. ARGV[i], id) end
at = at + removes
-- In slices: unpack has a limit on how many values it returns.
local last = at + 2 * sets - 1
while at <= last do
  local upto = math.min(last, at + 999)
  redis.call('HSET', alertsKey, unpack(ARGV, at, upto))
  at = upto + 1
end
while at <= #ARGV do
  local upto = math.min(#ARGV, at + 999)
  redis.call('HDEL', alertsKey, unpack(ARGV, at, upto))
  at = upto + 1
end

local retain = tonumber(ARGV[10])
local current = redis.call('HGET', groupKey, 'id')
local expiring = p .. 'index:expiring'
if retain > 0 then
  local t = redis.call('TIME')
  local leaves = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + retain
  redis.call('PEXPIRE', incidentKey, retain)
  -- Both leave at the same moment; a script sees the time it started at, so a reader finds both or
  -- neither.
  redis.call('PEXPIRE', alertsKey, retain)
  redis.call('ZADD', expiring, string.format('%.0f', leaves), id)
  -- The group goes with its current incident; a group left without one goes too.
  if current == id or not current then redis.call('PEXPIRE', groupKey, retain) end
else
  redis.call('PERSIST', incidentKey)
  redis.call('PERSIST', alertsKey)
  redis.call('ZREM', expiring, id)
  if current == id then redis.call('PERSIST', groupKey) end
end
return 1
`);

/**
 * Takes incidents whose retention ran out off the indexes (Redis expired their data already).
 * ARGV: prefix, most ids to look at, then every index name. Returns how many were taken off.
 */
export const SWEEP_SCRIPT = new LuaScript(`
local p = ARGV[1]
local expiring = p .. 'index:expiring'
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ids = redis.call('ZRANGEBYSCORE', expiring, '-inf', string.format('%.0f', now), 'LIMIT', 0, tonumber(ARGV[2]))
local removed = 0
for _, id in ipairs(ids) do
  local ttl = redis.call('PTTL', p .. 'incident:' .. id)
  if ttl == -2 then
    for i = 3, #ARGV do redis.call('ZREM', p .. ARGV[i], id) end
    redis.call('ZREM', expiring, id)
    removed = removed + 1
  elseif ttl == -1 then
    redis.call('ZREM', expiring, id)
  else
    redis.call('ZADD', expiring, string.format('%.0f', now + ttl), id)
  end
end
return removed
`);

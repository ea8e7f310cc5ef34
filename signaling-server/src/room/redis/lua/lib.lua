-- Helpers prepended to every script (scripts.rs). The layout, all under "sig:":
--   sig:room:{ROOM}        hash: '#secret' (SHA-256 of the secret, '' for none), '#n'
--                          (members), '#seq' (events so far), '#order' (joins so far),
--                          '@INSTANCE' (its members here), and
--                          ID -> "INSTANCE\tTICKET\tORDER\tKEY\tNAME" (KEY: its public key or '')
--   sig:rooms              set of room names (--max-rooms counts it)
--   sig:instances          set of instances that joined someone
--   sig:inst:INSTANCE      liveness key, expires unless refreshed
--   sig:inst:INSTANCE:rooms  set of rooms where INSTANCE has members (for its sweep)
--   sig:ch:INSTANCE        pub/sub channel: room events and signals for INSTANCE's peers
-- ROOM is validated (A-Z a-z 0-9 - _ .), ids (derived from keys) and instances are hex
-- the server made: no key or channel name comes from anything else.
local P = 'sig:'
local ROOMS = P .. 'rooms'
local INSTANCES = P .. 'instances'
local function room_key(room) return P .. 'room:{' .. room .. '}' end
local function mine_key(inst) return P .. 'inst:' .. inst .. ':rooms' end
local function is_member_field(field)
  local c = string.sub(field, 1, 1)
  return c ~= '#' and c ~= '@'
end

-- instance, ticket, order, key, name
local function parse(value)
  return string.match(value, '^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$')
end

-- Numbers the change and tells every instance with members in the room (after it).
local function announce(key, room, kind, id, inst, ticket, pkey, name)
  local seq = redis.call('HINCRBY', key, '#seq', 1)
  local message = table.concat({'e', room, seq, kind, id, inst, ticket, pkey, name}, '\t')
  for _, field in ipairs(redis.call('HKEYS', key)) do
    if string.sub(field, 1, 1) == '@' then
      redis.call('PUBLISH', P .. 'ch:' .. string.sub(field, 2), message)
    end
  end
  return seq
end

local function add_member(key, room, id, inst, ticket, pkey, name, order)
  order = order or redis.call('HINCRBY', key, '#order', 1)
  redis.call('HSET', key, id, table.concat({inst, ticket, order, pkey, name}, '\t'))
  redis.call('HINCRBY', key, '#n', 1)
  if redis.call('HINCRBY', key, '@' .. inst, 1) == 1 then
    redis.call('SADD', mine_key(inst), room)
  end
end

local function drop_member(key, room, id, inst)
  redis.call('HDEL', key, id)
  redis.call('HINCRBY', key, '#n', -1)
  if redis.call('HINCRBY', key, '@' .. inst, -1) <= 0 then
    redis.call('HDEL', key, '@' .. inst)
    redis.call('SREM', mine_key(inst), room)
  end
end

local function drop_room_if_empty(key, room)
  if tonumber(redis.call('HGET', key, '#n') or '0') <= 0 then
    redis.call('DEL', key)
    redis.call('SREM', ROOMS, room)
  end
end

local function create_room(key, room, secret)
  redis.call('SADD', ROOMS, room)
  redis.call('HSET', key, '#secret', secret, '#n', 0, '#seq', 0, '#order', 0)
end

-- Removes the members `inst` has in the room at `key`, but those in `live` (a set of
-- ids; nil: none), each announced as left; returns how many.
local function drop_members_of(key, room, inst, live)
  local all = redis.call('HGETALL', key)
  local gone = 0
  for i = 1, #all, 2 do
    if is_member_field(all[i]) and not (live and live[all[i]]) then
      local owner, ticket, _, pkey, name = parse(all[i + 1])
      if owner == inst then
        drop_member(key, room, all[i], inst)
        announce(key, room, 'l', all[i], inst, ticket, pkey, name)
        gone = gone + 1
      end
    end
  end
  return gone
end

-- Removes every member `inst` has in `room`, each announced as left; returns how many.
local function drop_instance_from(room, inst)
  local key = room_key(room)
  local gone = drop_members_of(key, room, inst, nil)
  redis.call('SREM', mine_key(inst), room)
  if redis.call('EXISTS', key) == 1 then drop_room_if_empty(key, room) end
  return gone
end

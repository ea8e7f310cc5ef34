-- One join, every room rule checked and applied in one step (no read-then-write race
-- between instances). ARGV: room, instance, ticket, id (derived from the key, whose
-- proof was checked), name, secret hash ('' for none), most peers, most rooms, secrets
-- required ('1'), public key.
-- Returns {refusal} or {'ok', seq, took-over instance, its ticket, HGETALL of the room...}.
local room, inst, ticket, id, name, secret = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local cap, max_rooms = tonumber(ARGV[7]), tonumber(ARGV[8])
local pkey = ARGV[10]
local key = room_key(room)
local held = false
if redis.call('EXISTS', key) == 0 then
  if ARGV[9] == '1' and secret == '' then return {'secret_required'} end
  if redis.call('SCARD', ROOMS) >= max_rooms then return {'too_many_rooms'} end
  if cap < 1 then return {'room_full'} end
  create_room(key, room, secret)
else
  -- Lua strings are interned: == compares references, in time independent of content.
  if redis.call('HGET', key, '#secret') ~= secret then return {'wrong_secret'} end
  held = redis.call('HGET', key, id)
  if not held and tonumber(redis.call('HGET', key, '#n')) >= cap then return {'room_full'} end
end
local kind, old_inst, old_ticket, order = 'j', '', '', nil
if held then
  -- A join in place of the connection that holds the id (its key joined again): its
  -- place in the order stays.
  local _k, _n
  old_inst, old_ticket, order, _k, _n = parse(held)
  drop_member(key, room, id, old_inst)
  kind = 't'
end
add_member(key, room, id, inst, ticket, pkey, name, order)
local seq = announce(key, room, kind, id, inst, ticket, pkey, name)
if kind == 't' and redis.call('HEXISTS', key, '@' .. old_inst) == 0 then
  -- The instance that held the id has no one left here, yet must close that connection.
  redis.call('PUBLISH', P .. 'ch:' .. old_inst,
    table.concat({'e', room, seq, 't', id, inst, ticket, pkey, name}, '\t'))
end
local reply = {'ok', tostring(seq), old_inst, old_ticket}
for _, value in ipairs(redis.call('HGETALL', key)) do reply[#reply + 1] = value end
return reply

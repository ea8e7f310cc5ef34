-- An instance puts its live peers back (after Redis restarted empty, or lost touch with
-- it): each missing one rejoins, announced; each of its members no longer live (a leave
-- lost meanwhile) leaves, announced. Rooms are recreated without the caps: their peers
-- were admitted already. ARGV: instance, then per room: room, secret hash, count, and
-- count times (id, ticket, key, name). Returns how many stale members it removed.
local inst = ARGV[1]
local kept, removed, i = {}, 0, 2
while i <= #ARGV do
  local room, secret, count = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  local key = room_key(room)
  i = i + 3
  kept[room] = true
  if redis.call('EXISTS', key) == 0 then create_room(key, room, secret) end
  local live = {}
  for k = i, i + 4 * (count - 1), 4 do
    local id, ticket, pkey, name = ARGV[k], ARGV[k + 1], ARGV[k + 2], ARGV[k + 3]
    live[id] = true
    if not redis.call('HGET', key, id) then
      add_member(key, room, id, inst, ticket, pkey, name)
      announce(key, room, 'j', id, inst, ticket, pkey, name)
    end
  end
  i = i + 4 * count
  removed = removed + drop_members_of(key, room, inst, live)
  drop_room_if_empty(key, room)
end
redis.call('SADD', INSTANCES, inst)
for _, room in ipairs(redis.call('SMEMBERS', mine_key(inst))) do
  if not kept[room] then removed = removed + drop_instance_from(room, inst) end
end
return removed

-- One member leaves, if its seat is still the one given: a later join with its key (on
-- any instance) made a new seat, which this must not remove. ARGV: room, instance, id,
-- ticket. Returns 1 if it left, 0 if the seat was gone already.
local room, inst, id, ticket = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local key = room_key(room)
local held = redis.call('HGET', key, id)
if not held then return 0 end
local owner, seat, _, pkey, name = parse(held)
if owner ~= inst or seat ~= ticket then return 0 end
drop_member(key, room, id, inst)
announce(key, room, 'l', id, inst, ticket, pkey, name)
drop_room_if_empty(key, room)
return 1

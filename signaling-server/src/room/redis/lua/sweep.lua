-- Every instance whose liveness key expired (killed, or cut off from Redis for longer
-- than its TTL) loses what it held: its members leave their rooms, announced, and its
-- keys go. Any instance may run it; whichever runs first does the work.
-- Returns {instances swept, members removed}.
local dead, gone = 0, 0
for _, inst in ipairs(redis.call('SMEMBERS', INSTANCES)) do
  if redis.call('EXISTS', P .. 'inst:' .. inst) == 0 then
    for _, room in ipairs(redis.call('SMEMBERS', mine_key(inst))) do
      gone = gone + drop_instance_from(room, inst)
    end
    redis.call('DEL', mine_key(inst))
    redis.call('SREM', INSTANCES, inst)
    dead = dead + 1
  end
end
return {dead, gone}

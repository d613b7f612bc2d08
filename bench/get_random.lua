-- wrk script: GET <prefix><key><suffix> with a key picked at random from a list file (one per line).
-- Usage: wrk ... -s get_random.lua URL -- <list file> <prefix> [<suffix>]
local keys = {}
local prefix, suffix

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then keys[#keys + 1] = line end
  end
  prefix, suffix = args[2], args[3] or ""
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0))
end

function request()
  return wrk.format("GET", prefix .. keys[math.random(#keys)] .. suffix)
end

-- wrk script: POST one body per request, taken in order from a file of bodies (one per line), with extra headers.
-- Usage: wrk -t1 ... -s post_lines.lua URL -- <path> <bodies file> <content type> [<header: value> ...]
-- For requests that use something once (papers uploaded ahead): each line is used once; running past the last
-- line starts again from the first, and those requests fail (counted as errors by the benchmark).
local bodies = {}
local path, headers
local i = 0

function init(args)
  path = args[1]
  for line in io.lines(args[2]) do
    if #line > 0 then bodies[#bodies + 1] = line end
  end
  headers = { ["Content-Type"] = args[3] }
  for k = 4, #args do
    local name, value = string.match(args[k], "^([^:]+):%s*(.*)$")
    headers[name] = value
  end
end

function request()
  i = i % #bodies + 1
  return wrk.format("POST", path, headers, bodies[i])
end

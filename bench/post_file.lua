-- wrk script: POST the same prepared request body to one path, with extra headers.
-- Usage: wrk ... -s post_file.lua URL -- <path> <body file> <content type> [<header: value> ...]
-- Every request is independent (no one-time token), so each one creates a new row.
local req

function init(args)
  local path, body_file, content_type = args[1], args[2], args[3]
  local f = assert(io.open(body_file, "rb"))
  local body = f:read("*a")
  f:close()
  local headers = { ["Content-Type"] = content_type }
  for i = 4, #args do
    local name, value = string.match(args[i], "^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  req = wrk.format("POST", path, headers, body)
end

function request()
  return req
end

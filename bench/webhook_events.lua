-- wrk script: POSTs pre-signed webhook requests, each one once.
-- Each line of the file given after `--` is "<path>\t<signature>\t<form body>".
-- wrk runs one Lua state per thread: thread k sends lines k, k+T, k+2T, ...
-- so no two threads send the same event.
local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  lines = {}
  for line in io.lines(args[1]) do
    local path, sig, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
    table.insert(lines, {path, sig, body})
  end
  nthreads = tonumber(args[2])
  i = id
end

function request()
  local item = lines[((i - 1) % #lines) + 1]
  i = i + nthreads
  return wrk.format("POST", item[1], {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = item[2],
  }, item[3])
end

-- wrk script of benchmarks/checkin_load.py (read that module's docstring first).
--
-- One wrk thread = one scanner (a staff phone) with one connection, so its requests go
-- one after the other, as a phone's do. Each thread reads its plan from
-- <dir>/scanner-NN.txt, written by the Python side:
--   line 1        the scan URL's path
--   lines 2..     request headers "Name: value", up to an empty line
--   then          one JSON body per line, without its end: the nonce and '"}' follow.
-- Bodies are sent in order and the list is cycled. The nonce is the scanner's number and
-- a counter ("s03-0000042"): unique per request, and the Python side can tell from it
-- which body a stored scan came from. wrk builds one request of the first thread before
-- the run to inspect it and never sends it, so the answered counters are the range
-- first..last that response() notes (requests on one connection are answered in order);
-- counters after last were in flight when wrk stopped.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  local name = string.format("%s/scanner-%02d.txt", args[1], id)
  local file = assert(io.open(name, "r"))
  path = file:read("*l")
  headers = {}
  bodies = {}
  local in_headers = true
  for line in file:lines() do
    if in_headers then
      if line == "" then
        in_headers = false
      else
        local key, value = line:match("^([^:]+):%s*(.*)$")
        headers[key] = value
      end
    else
      table.insert(bodies, line)
    end
  end
  file:close()
  sent, answered, good, first, last = 0, 0, 0, 0, 0
  pace = tonumber(args[2] or "0")
  math.randomseed(id * 7919)
end

-- With --pace, a phone waits about that many milliseconds between two scans (a person
-- presents a badge, the answer is read, the next steps forward): 0.5 to 1.5 times it, at
-- random, since phones at a door are not in step. wrk's latency excludes the wait.
function delay()
  if pace == 0 then
    return 0
  end
  return math.floor(pace * (0.5 + math.random()))
end

function request()
  sent = sent + 1
  local body = bodies[(sent - 1) % #bodies + 1] .. string.format("s%02d-%07d", id, sent) .. '"}'
  return wrk.format("POST", path, headers, body)
end

function response(status, headers, body)
  answered = answered + 1
  if first == 0 then
    first = sent
  end
  last = sent
  if status >= 200 and status < 300 then
    good = good + 1
  end
end

function done(summary, latency, requests)
  local scanners = {}
  for _, thread in ipairs(threads) do
    table.insert(scanners, string.format('{"id":%d,"sent":%d,"answered":%d,"good":%d,' ..
      '"first":%d,"last":%d}', thread:get("id"), thread:get("sent"), thread:get("answered"),
      thread:get("good"), thread:get("first"), thread:get("last")))
  end
  local errors = summary.errors
  io.write(string.format(
    'CHECKIN_LOAD {"duration_us":%.0f,"requests":%.0f,"errors":{"connect":%.0f,"read":%.0f,' ..
    '"write":%.0f,"status":%.0f,"timeout":%.0f},"latency_us":{"p50":%.0f,"p90":%.0f,' ..
    '"p99":%.0f,"max":%.0f,"mean":%.1f},"scanners":[%s]}\n',
    summary.duration, summary.requests, errors.connect, errors.read, errors.write,
    errors.status, errors.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, table.concat(scanners, ",")))
end

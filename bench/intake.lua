-- wrk script for the event intake benchmark (bench/intake.sh sets the environment).
-- Every request is a distinct ONCRMLEADUPDATE as Bitrix24 posts it (url-encoded form, the
-- reduced auth set of an automation change), so every acknowledged request is a new inbox row:
-- the dedup key is NAME:ID:ts:handler_id and the lead ID below never repeats within a run.
--
-- Environment: BENCH_MEMBER_ID, BENCH_APP_TOKEN, BENCH_DOMAIN, BENCH_HANDLER_ID (the binding's
-- id), BENCH_PATH (default /b24/events), BENCH_ID_BASE (keeps warm-up and measured runs apart).
-- done() prints one line "intake: key=value ..." for the shell to parse.

local member_id = os.getenv("BENCH_MEMBER_ID") or ""
local app_token = os.getenv("BENCH_APP_TOKEN") or ""
local domain = os.getenv("BENCH_DOMAIN") or "127.0.0.1"
local handler_id = os.getenv("BENCH_HANDLER_ID") or "1"
local path = os.getenv("BENCH_PATH") or "/b24/events"
local id_base = tonumber(os.getenv("BENCH_ID_BASE") or "0")

-- Form values are percent-encoded as PHP's http_build_query does (brackets included).
local function encode(s)
  return (tostring(s):gsub("[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

-- Every wrk thread has a Lua state of its own: give each a number so that IDs never collide.
local threads = {}
local thread_count = 0
function setup(thread)
  thread:set("thread_no", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

-- The part of the body that is the same for every request, built once per thread.
local tail
local counter = 0

function init(args)
  tail = "&ts=" .. os.time() ..
         "&auth%5Bdomain%5D=" .. encode(domain) ..
         "&auth%5Bclient_endpoint%5D=" .. encode("http://" .. domain .. "/rest/") ..
         "&auth%5Bserver_endpoint%5D=" .. encode("https://oauth.bitrix.info/rest/") ..
         "&auth%5Bmember_id%5D=" .. encode(member_id) ..
         "&auth%5Bapplication_token%5D=" .. encode(app_token)
  wrk.method = "POST"
  wrk.path = path
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function request()
  counter = counter + 1
  -- 10^8 IDs per thread: far more than a run sends.
  local id = id_base + thread_no * 100000000 + counter
  local body = "event=ONCRMLEADUPDATE&event_handler_id=" .. encode(handler_id) ..
               "&data%5BFIELDS%5D%5BID%5D=" .. id .. tail
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  -- Latencies are in microseconds; non2xx counts HTTP statuses above 399 (wrk's "status" error).
  io.write(string.format(
    "intake: requests=%d seconds=%.3f rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
    "non2xx=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.status, e.connect, e.read, e.write, e.timeout))
end

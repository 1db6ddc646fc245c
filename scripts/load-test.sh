#!/usr/bin/env bash
# Load test of `minibert serve` on loopback with wrk (Debian: apt-get install -y wrk): starts the server on a free
# port, waits for /health, sends POST /v1/embed from CONNECTIONS clients for at most DURATION seconds (<= 20) and
# at most REQUESTS requests, prints requests/s, p50/p99 latency and non-2xx answers, then stops the server with
# SIGTERM and checks that it exits 0. Not part of `mvn verify`; a measurement, not a benchmark.
#
#   scripts/load-test.sh [MODEL_DIR]    default: the fetched bge-small-zh-v1.5 (minibert data fetch --what weights)
#   env: DURATION (10), REQUESTS (2000), CONNECTIONS (16), MAX_BATCH_SIZE (32), MAX_WAIT_MS (5)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="${1:-${MINIBERT_CACHE:-$HOME/.cache/minibert}/weights/bge-small-zh-v1.5}"
duration="${DURATION:-10}"
requests="${REQUESTS:-2000}"
connections="${CONNECTIONS:-16}"

command -v wrk >/dev/null || { echo "load-test: wrk is needed: apt-get install -y wrk" >&2; exit 1; }
command -v curl >/dev/null || { echo "load-test: curl is needed: apt-get install -y curl" >&2; exit 1; }
[[ -f "$model/config.json" ]] || { echo "load-test: $model: no model directory (run: ./minibert data fetch --what weights)" >&2; exit 1; }
(( duration >= 1 && duration <= 20 )) || { echo "load-test: DURATION must be 1..20 seconds, got $duration" >&2; exit 1; }

work="$(mktemp -d)"
server=""
cleanup() {
  if [[ -n "$server" ]] && kill -0 "$server" 2>/dev/null; then kill -TERM "$server"; wait "$server" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$root/minibert" serve --model "$model" --port 0 --max-batch-size "${MAX_BATCH_SIZE:-32}" \
  --max-wait-ms "${MAX_WAIT_MS:-5}" >"$work/serve.log" 2>&1 &
server=$!
port=""
for _ in $(seq 600); do
  port="$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/serve.log" | grep -o '[0-9]*$' || true)"
  [[ -n "$port" ]] && [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health")" == 200 ]] && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.5
done
[[ -n "$port" ]] || { echo "load-test: the server did not get ready in 300 s" >&2; cat "$work/serve.log" >&2; exit 1; }

# Chinese sentences of different lengths, one per request in turn; each wrk thread stops after its share of REQUESTS
cat >"$work/embed.lua" <<'LUA'
local texts = {
  "今天天气很好。",
  "我们在公园里散步，看见很多人在放风筝。",
  "这个软件的界面可以通过工具菜单中的选项来修改。",
  "床前明月光，疑是地上霜。举头望明月，低头思故乡。",
}
local counter, responses, limit = 0, 0, 0
function setup(thread)
  thread:set("limit", math.ceil(tonumber(os.getenv("REQUESTS")) / tonumber(os.getenv("THREADS"))))
end
function init(args)
  limit = tonumber(wrk.thread:get("limit"))
end
function request()
  counter = counter + 1
  local body = '{"texts": ["' .. texts[counter % #texts + 1] .. '"], "pooling": "cls"}'
  return wrk.format("POST", "/v1/embed", {["Content-Type"] = "application/json"}, body)
end
function response(status, headers, body)
  responses = responses + 1
  if responses >= limit then wrk.thread:stop() end
end
function done(summary, latency, requests)
  io.write(string.format("requests: %d in %.1f s, %.1f requests/s\n", summary.requests, summary.duration / 1e6,
    summary.requests / (summary.duration / 1e6)))
  io.write(string.format("latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("non-2xx: %d, socket errors: %d connect, %d read, %d timeout\n", summary.errors.status,
    summary.errors.connect, summary.errors.read, summary.errors.timeout))
end
LUA

threads=2
(( connections >= threads )) || threads=1
echo "load-test: $model on 127.0.0.1:$port, $connections connections, at most ${duration} s and $requests requests"
REQUESTS="$requests" THREADS="$threads" wrk -t"$threads" -c"$connections" -d"${duration}s" --timeout 10s \
  -s "$work/embed.lua" "http://127.0.0.1:$port/v1/embed" | sed -n '/^requests:/,$p'
curl -s "http://127.0.0.1:$port/metrics" | grep -E '^minibert_batch_size_(sum|count) ' | tr '\n' ' ' | \
  awk '{ printf "forward passes: %d, %.2f texts per pass\n", $4, $2 / ($4 > 0 ? $4 : 1) }'
kill -TERM "$server"
status=0
wait "$server" || status=$?
server=""
echo "server exit status after SIGTERM: $status"

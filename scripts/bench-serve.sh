#!/usr/bin/env bash
# Serving speed, minibert against ONNX Runtime behind the same HTTP layer (issue #22, "Speed"): for each model
# directory, exports it to ONNX (minibert export, into a temp folder), starts two servers on loopback
# (dev.minibert.bench.serve.ServeBench: minibert serve's server, batcher, tokenizer and options, with minibert's
# forward pass or ORT running the exported graph in the same JVM), warms each up, then per round drives each in
# turn (the order alternates between rounds) with wrk at 1, 8 and 64 connections, one text per request. Prints one
# JSON line per (model, engine, clients) with the median and min-max over the rounds, then a summary line per model
# with the ratios and issue #22's targets: throughput >= 1.0x ORT at 64 clients, p99 < 2x p50 at 8 clients.
#
#   scripts/bench-serve.sh [MODEL_DIR...]
#     default: the default mini-BERT (L12 H128 A2 I512, the minibert vocabulary: minibert init of the quickstart's
#     model config) and the bge-small-zh classifier (the fetched bge-small-zh-v1.5 finetuned on the first 64 rows
#     of libreoffice-topic for one epoch, 4 steps: a real classifier head, not a trained one), both made once in
#     MODELS (default target/bench-serve). A directory with labels.json gets POST /v1/classify, others /v1/embed.
#   env: ROUNDS (3), DURATION seconds per wrk run (8, at most 60), WARMUP seconds per server (10),
#        CLIENTS ("1 8 64"), THREADS (server threads, default every core), WRK_THREADS (2), MAX_BATCH_SIZE (32),
#        MAX_WAIT_MS (5), MODELS (target/bench-serve), MINIBERT_CACHE (~/.cache/minibert)
# Needs wrk and curl (apt-get install -y wrk curl), python3 for the summary. A benchmark: run it on a quiet machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${MINIBERT_CACHE:-$HOME/.cache/minibert}"
rounds="${ROUNDS:-3}"
duration="${DURATION:-8}"
warmup="${WARMUP:-10}"
read -r -a clients <<< "${CLIENTS:-1 8 64}"
models_dir="${MODELS:-$root/target/bench-serve}"
fail() {
  echo "bench-serve: $*" >&2
  exit 1
}
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || fail "$tool is needed (apt-get install -y $tool)"
done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || fail "ROUNDS must be a positive integer, got $rounds"
[[ "$duration" =~ ^[0-9]+$ ]] && (( duration >= 1 && duration <= 60 )) || fail "DURATION must be 1..60 seconds, got $duration"
[[ "$warmup" =~ ^[0-9]+$ ]] || fail "WARMUP must be a number of seconds, got $warmup"
for c in "${clients[@]}"; do [[ "$c" =~ ^[1-9][0-9]*$ ]] || fail "CLIENTS must be positive integers, got '$c'"; done

# the bench jar (and the launcher's) before anything is timed
"$root/scripts/jmh-kernels.sh" -l > /dev/null
"$root/minibert" --help > /dev/null
bench_cp="$root/bench/target/minibert-bench-$("$root/scripts/version.sh").jar:$(cat "$root/bench/target/jmh-classpath.txt")"

default_models() {
  mkdir -p "$models_dir"
  local mini="$models_dir/mini-bert" classifier="$models_dir/bge-small-zh-classifier"
  if [[ ! -f "$mini/model.safetensors" ]]; then
    local vocab="$cache/vocab/minibert-vocab.txt"
    [[ -f "$vocab" ]] || fail "$vocab not found (run: ./minibert data fetch)"
    # the quickstart's model config (minibert bench's default shape), without dropout: serving runs none anyway
    printf '{"vocab_size": %d, "hidden_size": 128, "num_hidden_layers": 12, "num_attention_heads": 2, "intermediate_size": 512, "max_position_embeddings": 128, "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0, "norm_style": "post"}\n' \
      "$(wc -l < "$vocab")" > "$models_dir/mini-bert-config.json"
    "$root/minibert" init --config "$models_dir/mini-bert-config.json" --vocab "$vocab" --out "$mini" >&2
  fi
  if [[ ! -f "$classifier/labels.json" ]]; then
    local bge="$cache/weights/bge-small-zh-v1.5" train="$cache/labeled/libreoffice-topic/train.jsonl"
    [[ -f "$bge/model.safetensors" ]] || fail "$bge not found (run: ./minibert data fetch --what weights)"
    [[ -f "$train" ]] || fail "$train not found (run: ./minibert data fetch)"
    head -n 64 "$train" > "$models_dir/train-64.jsonl"
    "$root/minibert" finetune --model "$bge" --train "$models_dir/train-64.jsonl" --out "$classifier" \
      --epochs 1 --batch-size 16 --overwrite >&2
  fi
  echo "$mini" "$classifier"
}
if (( $# > 0 )); then models=("$@"); else read -r -a models <<< "$(default_models)"; fi
for m in "${models[@]}"; do [[ -f "$m/config.json" ]] || fail "$m: not a model directory (no config.json)"; done

work="$(mktemp -d)"
servers=()
cleanup() {
  for pid in "${servers[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
  done
  rm -rf "$work"
}
trap cleanup EXIT

# one short Chinese text per request, cycling through texts of different lengths; done() writes one JSON object
cat > "$work/post.lua" <<'LUA'
local texts = {
  "如何插入页码？",
  "今天天气很好。",
  "选择「工具 - 更新 - 所有索引与目录」。",
  "我们在公园里散步，看见很多人在放风筝。",
  "可以修改框、图形或表格的边框。只有选择了图形、表格、图表对象或框架时，才会看到「线条样式」图标。",
  "这个软件的界面可以通过工具菜单中的选项来修改。",
  "打开自定义问候语行对话框。",
  "要将度转换为弧度，可将度乘以 pi/180；而要将弧度转换为度，则将弧度乘以 180/pi。",
}
local path, extra = os.getenv("BENCH_PATH"), os.getenv("BENCH_EXTRA")
local counter = 0
function request()
  counter = counter + 1
  return wrk.format("POST", path, {["Content-Type"] = "application/json"},
    '{"texts": ["' .. texts[counter % #texts + 1] .. '"]' .. extra .. '}')
end
function done(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format('{"requests": %d, "seconds": %.3f, "requests_per_s": %.2f, "p50_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "non_2xx": %d, "socket_errors": %d}\n',
    summary.requests, s, summary.requests / s, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA

# starts a server (a child of this shell, so that it can be waited for) and sets server_port once /health says ready
start_server() { # engine model onnx log
  local engine="$1" model="$2" onnx="$3" log="$4" port="" pid
  # the launcher's JVM settings (see ./minibert), so the minibert engine runs as minibert serve does
  OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" java -XX:+UseSerialGC -Xmn24m --add-modules jdk.incubator.vector \
    -Dfile.encoding=UTF-8 ${MINIBERT_JAVA_OPTS:-} -cp "$bench_cp" dev.minibert.bench.serve.ServeBench \
    --engine "$engine" --model "$model" --onnx "$onnx" ${THREADS:+--threads "$THREADS"} \
    --max-batch-size "${MAX_BATCH_SIZE:-32}" --max-wait-ms "${MAX_WAIT_MS:-5}" > "$log" 2>&1 &
  pid=$!
  servers+=("$pid")
  for _ in $(seq 600); do
    port="$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
    [[ -n "$port" && "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health")" == 200 ]] && break
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; fail "the $engine server for $model exited"; }
    sleep 0.5
  done
  [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health")" == 200 ]] \
    || { cat "$log" >&2; fail "the $engine server for $model was not ready in 300 s"; }
  server_port="$port"
}

drive() { # port path extra connections seconds
  local threads="${WRK_THREADS:-2}"
  (( threads <= $4 )) || threads="$4"
  BENCH_PATH="$2" BENCH_EXTRA="$3" timeout $(( $5 + 30 )) wrk -t"$threads" -c"$4" -d"$5s" --timeout 10s \
    -s "$work/post.lua" "http://127.0.0.1:$1$2" | grep '^{'
}

# wrk stops with requests still in flight; their forward passes must not run into the next engine's timed run
await_idle() { # port
  for _ in $(seq 1200); do
    curl -s "http://127.0.0.1:$1/metrics" | grep -qx 'minibert_queued_texts 0' && return 0
    sleep 0.1
  done
  fail "the server on port $1 still had texts queued 120 s after its load stopped"
}

lscpu | sed -n 's/^Model name: *//p' | head -1 | sed "s/^/# cpu: /; s/\$/, $(nproc) cores/"
echo "# commit: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD || echo '+changes')  date: $(date -u +%FT%TZ)"
echo "# command: ROUNDS=$rounds DURATION=$duration WARMUP=$warmup CLIENTS=\"${clients[*]}\" THREADS=${THREADS:-all} MAX_BATCH_SIZE=${MAX_BATCH_SIZE:-32} MAX_WAIT_MS=${MAX_WAIT_MS:-5} scripts/bench-serve.sh ${models[*]}"
results="$work/results.jsonl"
: > "$results"
for model in "${models[@]}"; do
  name="$(basename "$model")"
  "$root/minibert" export --model "$model" --onnx "$work/$name.onnx" >&2
  if [[ -f "$model/labels.json" ]]; then path=/v1/classify extra=""; else path=/v1/embed extra=', "pooling": "cls"'; fi
  declare -A port=()
  for engine in minibert ort; do
    start_server "$engine" "$model" "$work/$name.onnx" "$work/$name-$engine.log"
    port[$engine]="$server_port"
    # the JIT compiles the kernels for the shapes the load brings; not timed
    (( warmup == 0 )) || drive "$server_port" "$path" "$extra" 8 "$warmup" > /dev/null
    await_idle "$server_port"
  done
  for ((r = 0; r < rounds; r++)); do
    if (( r % 2 == 0 )); then order=(minibert ort); else order=(ort minibert); fi
    for c in "${clients[@]}"; do
      for engine in "${order[@]}"; do
        line="$(drive "${port[$engine]}" "$path" "$extra" "$c" "$duration")"
        await_idle "${port[$engine]}"
        echo "{\"model\": \"$name\", \"engine\": \"$engine\", \"clients\": $c, \"round\": $r, ${line#\{}" | tee -a "$results" >&2
      done
    done
  done
  for pid in "${servers[@]}"; do kill -TERM "$pid" 2>/dev/null || true; wait "$pid" || true; done
  servers=()
  unset port
done

python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
groups = {}
for r in rows:
    groups.setdefault((r["model"], r["clients"], r["engine"]), []).append(r)
def med(rs, k):
    v = [r[k] for r in rs]
    return [statistics.median(v), min(v), max(v)]
summary = {}
for (model, clients, engine), rs in groups.items():
    line = {"model": model, "engine": engine, "clients": clients, "rounds": len(rs),
            "requests_per_s": med(rs, "requests_per_s"), "p50_ms": med(rs, "p50_ms"), "p99_ms": med(rs, "p99_ms"),
            "non_2xx": sum(r["non_2xx"] for r in rs), "socket_errors": sum(r["socket_errors"] for r in rs)}
    print(json.dumps(line))
    summary.setdefault(model, {}).setdefault(clients, {})[engine] = line
for model, by in summary.items():
    out = {"model": model, "summary": True}
    for clients, e in sorted(by.items()):
        if "minibert" in e and "ort" in e:
            out[f"throughput_ratio_{clients}"] = round(e["minibert"]["requests_per_s"][0] / e["ort"]["requests_per_s"][0], 3)
            out[f"p99_over_p50_{clients}"] = {k: round(e[k]["p99_ms"][0] / e[k]["p50_ms"][0], 2) for k in ("minibert", "ort")}
    if "throughput_ratio_64" in out:
        out["target_throughput_64_at_least_ort"] = out["throughput_ratio_64"] >= 1.0
    if "p99_over_p50_8" in out:
        out["target_p99_under_2x_p50_at_8"] = out["p99_over_p50_8"]["minibert"] < 2.0
    print(json.dumps(out))
PY

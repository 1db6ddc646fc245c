#!/usr/bin/env bash
# pretrain --spark on a real Spark standalone cluster on this machine: a master and two workers started from
# Spark's own jars on loopback, each executor its own JVM. Checks that a 40-step run there, and one whose executor
# is killed with kill -9 after step 10, both end with the model bytes of the same run in local[2].
# Exit 0: all three identical; 1: a difference or a failed run (the logs are kept and named). Takes ~5 min on 2 cores.
# What it measured: docs/spark.md. The same claims, 6 steps, in network namespaces: SparkClusterTest (distributed).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d /tmp/minibert-spark-check.XXXXXX)"
pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap stop EXIT
fail() { echo "spark-standalone-check: $*; logs in $work" >&2; exit 1; }

"$root/minibert" --version >/dev/null # builds what is missing

# a SPARK_HOME whose jars/ is Spark and minibert's other dependencies (the executors' classpath is SPARK_HOME/jars/*
# plus spark.executor.extraClassPath, which names minibert's own jars)
mkdir -p "$work/spark/jars" "$work/spark/work"
tr ':' '\n' < "$root/distributed/target/spark-classpath.txt" | xargs -I{} ln -sf {} "$work/spark/jars/"
tr ':' '\n' < "$root/cli/target/classpath.txt" | grep -v "^$root/" | xargs -I{} ln -sf {} "$work/spark/jars/"
minibert_jars="$root/cli/target/minibert-cli-$("$root/scripts/version.sh").jar:$(tr ':' '\n' < "$root/cli/target/classpath.txt" | grep "^$root/" | paste -sd:)"
read -r -a jvm_options <<< "$(sed -n 's:.*<spark.java.options>\(.*\)</spark.java.options>.*:\1:p' "$root/pom.xml")"
export SPARK_HOME="$work/spark" SPARK_SCALA_VERSION=2.13
daemon() { # a Spark daemon in the background, logging through minibert's logback.xml (Spark at WARN)
  local log="$1"
  shift
  java "${jvm_options[@]}" -Xmx256m -Dlogback.configurationFile="$root/cli/src/main/resources/logback.xml" \
    -cp "$work/spark/jars/*" "$@" > "$work/$log" 2>&1 &
  pids+=("$!")
}
port=$((20000 + RANDOM % 20000))
master="spark://127.0.0.1:$port"
daemon master.log org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" --webui-port 0
for _ in $(seq 60); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 1; done
for w in 1 2; do
  daemon "worker-$w.log" org.apache.spark.deploy.worker.Worker "$master" --host 127.0.0.1 --cores 1 --memory 1536m \
    --webui-port 0 --work-dir "$work/spark/work"
done

# a tiny corpus, its character vocabulary, a 2-layer model, shards
sentences=(今天天气很好。 我们去公园散步。 自然语言处理很有趣。 模型学习语言的规律。 春眠不觉晓。 处处闻啼鸟。
           床前明月光。 疑是地上霜。 学而时习之。 不亦说乎。 火车晚点了。 我们在车站等待。)
for d in $(seq 0 15); do
  for s in 0 1 2; do echo "${sentences[$(((d * 5 + s * 7) % ${#sentences[@]}))]}"; done
  echo
done > "$work/corpus.txt"
{ printf '%s\n' '[PAD]' '[UNK]' '[CLS]' '[SEP]' '[MASK]'; printf '%s' "${sentences[@]}" | grep -o . | awk '!seen[$0]++'; } \
  > "$work/vocab.txt"
printf '{"vocab_size": %d, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64, "max_position_embeddings": 32}\n' \
  "$(wc -l < "$work/vocab.txt")" > "$work/config.json"
"$root/minibert" shard --corpus "$work/corpus.txt" --vocab "$work/vocab.txt" --max-seq-len 16 --out "$work/shards" \
  --tokens-per-shard 64 2> "$work/shard.log" || fail "shard failed"

run() { # run NAME MASTER: 40 steps on MASTER into $work/NAME
  local name="$1" on="$2"
  MINIBERT_JAVA_OPTS="-Dspark.executor.extraClassPath=$minibert_jars -Dspark.executor.cores=1 -Dspark.cores.max=2
    -Dspark.executor.memory=1g -Dspark.executorEnv.OMP_NUM_THREADS=1" \
    "$root/minibert" pretrain --shards "$work/shards" --vocab "$work/vocab.txt" --config "$work/config.json" \
    --max-seq-len 16 --batch-size 4 --max-steps 40 --log-every 1 --seed 3 --spark "$on" --workers 2 \
    --out "$work/$name" > "$work/$name.log" 2>&1
}
run local 'local[2]' || fail "the local[2] run failed"
run cluster "$master" || fail "the cluster run failed"
cmp "$work/local/model/model.safetensors" "$work/cluster/model/model.safetensors" \
  || fail "the cluster run's model differs from local[2]'s"
echo "spark-standalone-check: 2 workers, 2 executor JVMs: the same model bytes as local[2]"

run killed "$master" &
runner=$!
until grep -q '"step":10,' "$work/killed/metrics.jsonl" 2>/dev/null; do
  kill -0 "$runner" 2>/dev/null || fail "the run to be disturbed ended before step 10"
  sleep 1
done
executor="$(pgrep -f "$work/spark/jars.*CoarseGrainedExecutorBackend" | head -n 1)"
kill -9 "$executor"
echo "spark-standalone-check: killed executor JVM $executor (kill -9) after step 10"
wait "$runner" || fail "the run whose executor was killed failed"
cmp "$work/local/model/model.safetensors" "$work/killed/model/model.safetensors" \
  || fail "the run whose executor was killed ends with another model than local[2]'s"
grep -q "Lost executor" "$work/killed.log" || fail "no executor was lost"
echo "spark-standalone-check: executor killed mid-run: the same model bytes as local[2]"
rm -rf "$work"

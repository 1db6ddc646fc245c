#!/usr/bin/env bash
# minibert against the runtimes users run, alternately in one session: for each round, `minibert bench` then the
# peers of scripts/peer/libtorch (official libtorch 2.7.1 through DJL; ONNX Runtime 1.20), each one JSON line.
# Prints every line, then per workload and peer: median tokens/s with min-max over the rounds, the ratio of the
# medians (minibert / peer) and of the peak RSS.
#
# usage: scripts/bench-vs-peers.sh [ROUNDS] [WORKLOAD...]
#   mlm       pretraining step (forward, MLM loss, backward, clip, AdamW)   vs libtorch's scripted step
#   finetune  classification step (encoder + pooler + classifier over 2 labels, cross-entropy, backward, clip,
#             AdamW; one fixed batch with random labels)                   vs libtorch's scripted cls step
#   infer     encoder + pooler + classifier, no gradients, returning the last hidden state and the logits
#                                                                            vs libtorch (traced) and ORT
#   predict   the same with the logits as the only output (minibert runs its last layer for [CLS] alone)
#                                                                            vs the peers' logits-only graphs
# Shape flags (minibert bench's names, which the peers take too) come from BENCH_ARGS, default the peers' default shape
# L12 H128 A2 I512 V8000 B32 T128 with --steps 10 --threads 2. Batch-1 latency: BENCH_ARGS="--batch-size 1 --max-seq-len 32".
# PEER_DIR overrides the peer folder (default scripts/peer/libtorch); its run.sh says what else it reads.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
peer="${PEER_DIR:-$root/scripts/peer/libtorch}"
rounds="${1:-3}"
shift || true
workloads=("${@:-mlm infer}")
read -r -a workloads <<< "${workloads[*]}"
args="${BENCH_ARGS:---steps 10 --threads 2}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
"$root/minibert" --help > /dev/null          # build once before timing anything
"$peer/run.sh" --peers "" $args > /dev/null   # and the peer's jar and exported models
lscpu | sed -n 's/^Model name: *//p' | head -1 | sed 's/^/# cpu: /'
echo "# commit: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD || echo '+changes')  date: $(date -u +%FT%TZ)  args: $args"

for ((r = 0; r < rounds; r++)); do
  for w in "${workloads[@]}"; do
    case "$w" in
      mlm) ours=pretrain; peers="mlm" ;;
      finetune) ours=finetune; peers="cls" ;;
      infer) ours=infer; peers="infer ort" ;;
      predict) ours=predict; peers="predict ort-predict" ;;
      *) echo "bench-vs-peers: unknown workload $w (mlm, finetune, infer, predict)" >&2; exit 2 ;;
    esac
    # shellcheck disable=SC2086
    "$root/minibert" bench "$ours" $args 2>/dev/null | tail -1 | sed "s/^/$w minibert /" | tee -a "$out"
    for p in $peers; do
      # shellcheck disable=SC2086
      "$peer/run.sh" --peers "$p" $args 2>/dev/null | tail -1 | sed "s/^/$w $p /" | tee -a "$out"
    done
  done
done

python3 - "$out" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    workload, impl, payload = line.split(" ", 2)
    rows.setdefault(workload, {}).setdefault(impl, []).append(json.loads(payload))
names = {"mlm": "libtorch 2.7.1", "cls": "libtorch 2.7.1", "infer": "libtorch 2.7.1", "ort": "ONNX Runtime 1.20",
         "predict": "libtorch 2.7.1", "ort-predict": "ONNX Runtime 1.20"}
for workload, by in rows.items():
    ours = by.pop("minibert")
    def stats(rs, k):
        v = [r[k] for r in rs]
        return statistics.median(v), min(v), max(v)
    mt, mlo, mhi = stats(ours, "tokens_per_s")
    for impl, peer in by.items():
        pt, plo, phi = stats(peer, "tokens_per_s")
        print(json.dumps({"workload": workload, "peer": names[impl], "rounds": min(len(ours), len(peer)),
                          "minibert_tokens_per_s": [mt, mlo, mhi], "peer_tokens_per_s": [pt, plo, phi],
                          "tokens_per_s_ratio": round(mt / pt, 3),
                          "ratio_min_max": [round(mlo / phi, 3), round(mhi / plo, 3)],
                          "minibert_latency_s": stats(ours, "median_s_per_step")[0],
                          "peer_latency_s": stats(peer, "median_s_per_step")[0],
                          "peak_rss_mb": [stats(ours, "peak_rss_mb")[0], stats(peer, "peak_rss_mb")[0]],
                          "peak_rss_ratio": round(stats(ours, "peak_rss_mb")[0] / stats(peer, "peak_rss_mb")[0], 3)}))
PY

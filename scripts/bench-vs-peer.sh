#!/usr/bin/env bash
# Runs minibert's bench and the PyTorch peer (scripts/peer/bench_torch.py) alternately, A B A B ...,
# for each workload, and prints every JSON line plus the median ratios (ours / peer) per workload.
# usage: scripts/bench-vs-peer.sh [PAIRS] [WORKLOAD...]   workloads: infer cls mlm (default: all three)
# Shape flags come from BENCH_ARGS (default: the peer's defaults, L12 H128 A2 I512 V8000 B32 T128).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
peers="${PEERS:-$root/scripts/peer}"
pairs="${1:-5}"
shift || true
workloads=("${@:-infer cls mlm}")
read -r -a workloads <<< "${workloads[*]}"
args="${BENCH_ARGS:---steps 10 --threads 2}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
"$root/minibert" --help > /dev/null   # build once before timing anything

for w in "${workloads[@]}"; do
  case "$w" in
    infer) ours=infer ;;
    cls) ours=finetune ;;
    mlm) ours=pretrain ;;
    *) echo "unknown workload $w (infer, cls, mlm)" >&2; exit 2 ;;
  esac
  for ((i = 0; i < pairs; i++)); do
    # shellcheck disable=SC2086
    "$root/minibert" bench "$ours" $args 2>/dev/null | tail -1 | sed "s/^/$w minibert /" | tee -a "$out"
    # shellcheck disable=SC2086
    (cd "$peers" && /usr/bin/python3 bench_torch.py --task "$w" $args) | tail -1 | sed "s/^/$w pytorch /" | tee -a "$out"
  done
done

python3 - "$out" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    workload, impl, payload = line.split(" ", 2)
    rows.setdefault(workload, {}).setdefault(impl, []).append(json.loads(payload))
for workload, by in rows.items():
    ours, peer = by["minibert"], by["pytorch"]
    med = lambda rs, k: statistics.median(r[k] for r in rs)
    print(json.dumps({"workload": workload, "pairs": min(len(ours), len(peer)),
                      "tokens_per_s_ratio": round(med(ours, "tokens_per_s") / med(peer, "tokens_per_s"), 3),
                      "peak_rss_ratio": round(med(ours, "peak_rss_mb") / med(peer, "peak_rss_mb"), 3),
                      "minibert_tokens_per_s": med(ours, "tokens_per_s"), "pytorch_tokens_per_s": med(peer, "tokens_per_s"),
                      "minibert_peak_rss_mb": med(ours, "peak_rss_mb"), "pytorch_peak_rss_mb": med(peer, "peak_rss_mb")}))
PY

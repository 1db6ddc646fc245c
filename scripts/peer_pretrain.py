"""Pretrains the PyTorch peer (scripts/peer/torch_bert.py) with `minibert experiment`'s recipe and logs every step's
loss, per-layer gradient norms and LayerNorm gammas, so the two implementations' curves can be set side by side
(attenuation: both norm styles; head-ln: --no-head-transform; warmup: --warmup-ratio 0).

Input: `minibert tokenize` JSON lines of the corpus (one line of text each; a blank line ends a document).
Instances and masking as minibert's (peer_recipe.py). AdamW (0.9, 0.999, 1e-8, weight decay 0.01 except LayerNorm
and biases), linear warmup over --warmup-ratio then linear decay to 0, clipping at 1.0, dropout 0.1. The norms are
taken before clipping, over all of a layer's parameters (as minibert's metrics.jsonl `grad_norms`) and over its
weight matrices alone; `layer_norm_gamma` has minibert's metrics.jsonl form (HF names, mean/max/min/std).
Prints one JSON line per step.
usage: peer_pretrain.py PEERS_DIR CORPUS.tok.jsonl [--norm post|pre --steps 400 --no-head-transform]
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
ap.add_argument("--no-head-transform", action="store_true", help="the MLM head without its Dense+GELU+LayerNorm")
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

config = torch_bert.Config(vocab_size=args.vocab_size, hidden_size=args.hidden, num_hidden_layers=args.layers,
                           num_attention_heads=args.heads, intermediate_size=args.intermediate,
                           max_position_embeddings=128, norm_style=args.norm)
model = torch_bert.ForMaskedLM(config, head_transform=not args.no_head_transform)
opt = peer_recipe.adamw(model, args.lr)
sched = peer_recipe.linear_schedule(opt, int(args.warmup_ratio * args.steps), args.steps)
layers = [(i, list(layer.named_parameters())) for i, layer in enumerate(model.bert.encoder.layer)]
layer_norms = [(name + ".weight", m) for name, m in model.named_modules() if isinstance(m, torch.nn.LayerNorm)]


def gamma_stats(weight):
    w = weight.detach()
    return {"mean": w.mean().item(), "max": w.max().item(), "min": w.min().item(), "std": w.std(unbiased=False).item()}


data = peer_recipe.instances(args.tokens, args.seq, rng)
model.train()
for step in range(1, args.steps + 1):
    start = (step - 1) * args.batch % max(1, len(data) - args.batch)
    ids, types, mask, positions, labels = peer_recipe.masked_batch(data[start:start + args.batch], args.seq,
                                                                   args.vocab_size, rng)
    loss = torch.nn.functional.cross_entropy(model(ids, types, mask, positions), labels)
    opt.zero_grad()
    loss.backward()
    norms = [math.sqrt(sum(p.grad.pow(2).sum().item() for _, p in ps)) for _, ps in layers]
    weights = [math.sqrt(sum(p.grad.pow(2).sum().item() for n, p in ps if p.dim() == 2)) for _, ps in layers]
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()
    print(json.dumps({"step": step, "loss": round(loss.item(), 4), "grad_norms": norms,
                      "ratio": norms[0] / norms[-1], "weight_ratio": weights[0] / weights[-1],
                      "layer_norm_gamma": {name: gamma_stats(m.weight) for name, m in layer_norms}}), flush=True)

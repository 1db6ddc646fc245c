"""The PyTorch peer (scripts/peer/torch_bert.py) at init, as `minibert experiment init-std` measures minibert: for
each initializer (truncated normal with std 0.02, 0.05, 0.1, 0.2; Xavier-uniform linear weights with std-0.02
embeddings) and each norm style, one forward and backward of the same masked probe batch (training mode, as
minibert's probe), and the gradient norm with respect to each encoder layer's input and the last layer's output.

Input: `minibert tokenize` JSON lines of the corpus; the probe batch is built and masked as peer_pretrain.py's
(peer_recipe.py). Prints a CSV with one row per initializer and norm style, named as minibert's init_std.csv:
init,norm_style,activation_ratio (layer 0's input-gradient norm over the last layer's).
usage: peer_init_std.py PEERS_DIR CORPUS.tok.jsonl [--layers 12 --seed 42]
"""
import argparse, random, sys

ap = argparse.ArgumentParser()
ap.add_argument("peers")
ap.add_argument("tokens")
ap.add_argument("--vocab-size", type=int, default=8000)
ap.add_argument("--layers", type=int, default=12)
ap.add_argument("--hidden", type=int, default=128)
ap.add_argument("--heads", type=int, default=2)
ap.add_argument("--intermediate", type=int, default=512)
ap.add_argument("--batch", type=int, default=16)
ap.add_argument("--seq", type=int, default=64)
ap.add_argument("--seed", type=int, default=42)
ap.add_argument("--threads", type=int, default=2)
args = ap.parse_args()
sys.path.insert(0, args.peers)
import torch  # noqa: E402
import torch_bert  # noqa: E402
import peer_recipe  # noqa: E402  (beside this script)

torch.set_num_threads(args.threads)
rng = random.Random(args.seed)
probe = peer_recipe.masked_batch(peer_recipe.instances(args.tokens, args.seq, rng)[:args.batch], args.seq,
                                 args.vocab_size, rng)


def layer_input_grad_norms(model):
    """‖∂L/∂x‖ at each encoder layer's input, then at the last layer's output, for the probe batch."""
    inputs = []
    hooks = [layer.register_forward_pre_hook(lambda m, i: inputs.append(i[0]) or i[0].retain_grad())
             for layer in model.bert.encoder.layer]
    hooks.append(model.bert.encoder.layer[-1].register_forward_hook(
        lambda m, i, out: inputs.append(out) or out.retain_grad()))
    torch.manual_seed(args.seed)  # the same dropout masks for every model
    ids, types, mask, positions, labels = probe
    torch.nn.functional.cross_entropy(model(ids, types, mask, positions), labels).backward()
    for h in hooks:
        h.remove()
    return [x.grad.norm().item() for x in inputs]


print("init,norm_style,activation_ratio")
for norm in ("post", "pre"):
    for init in ("std_0.02", "std_0.05", "std_0.1", "std_0.2", "xavier"):
        std = 0.02 if init == "xavier" else float(init[len("std_"):])
        config = torch_bert.Config(vocab_size=args.vocab_size, hidden_size=args.hidden, num_hidden_layers=args.layers,
                                   num_attention_heads=args.heads, intermediate_size=args.intermediate,
                                   max_position_embeddings=128, norm_style=norm, initializer_range=std)
        torch.manual_seed(args.seed)
        model = torch_bert.ForMaskedLM(config)
        if init == "xavier":  # linear weights Xavier-uniform, embeddings keep std 0.02, as minibert's Initializer
            for m in model.modules():
                if isinstance(m, torch.nn.Linear):
                    torch.nn.init.xavier_uniform_(m.weight)
        model.train()
        activation = layer_input_grad_norms(model)
        print(f"{init},{norm}-norm,{activation[0] / activation[-2]!r}", flush=True)

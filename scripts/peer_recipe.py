"""minibert's recipe for the PyTorch peer scripts (peer_pretrain.py, peer_init_std.py, peer_finetune.py), in one
place: the optimiser, the schedule, and `minibert experiment`'s pretraining instances and masking."""
import json, math
import torch

CLS, SEP, MASK = 2, 3, 4  # minibert's vocab: [PAD] [UNK] [CLS] [SEP] [MASK] first
FIRST_WORD = 5


def adamw(model, lr):
    """AdamW (0.9, 0.999, 1e-8), weight decay 0.01 on everything but biases and LayerNorms, as minibert's AdamW."""
    def decays(name):
        return not name.endswith("bias") and "LayerNorm" not in name and "layer_norm" not in name
    params = list(model.named_parameters())
    return torch.optim.AdamW([{"params": [p for n, p in params if decays(n)], "weight_decay": 0.01},
                              {"params": [p for n, p in params if not decays(n)], "weight_decay": 0.0}],
                             lr=lr, betas=(0.9, 0.999), eps=1e-8)


def linear_schedule(opt, warmup, total):
    """HF get_linear_schedule_with_warmup: 0 → peak over warmup steps, then linearly to 0 at total."""
    return torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: s / max(1, warmup) if s < warmup else max(0.0, (total - s) / max(1, total - warmup)))


def instances(tokens, seq, rng, short_seq_prob=0.1):
    """`minibert tokenize` JSON lines (a blank line ends a document) packed as minibert's InstanceBuilder packs them
    without next-sentence prediction (Google's create_instances_from_document): a line longer than seq - 2 tokens is
    first cut into pieces of seq - 2; per document a target length of seq - 2, or with probability short_seq_prob a
    random one in [2, seq - 2]; consecutive pieces are accumulated until the target is reached (or the document
    ends), and the chunk is cut to seq - 2 by removing tokens at random from its front or back. Each chunk becomes
    [CLS] ... [SEP]; the instances are shuffled by rng."""
    most = seq - 2
    documents, document = [], []
    with open(tokens, encoding="utf-8") as f:
        for line in f:
            ids = json.loads(line)["input_ids"][1:-1]
            if not ids:  # a blank line: the document ends
                if document:
                    documents.append(document)
                document = []
                continue
            document.extend(ids[i:i + most] for i in range(0, len(ids), most))
    if document:
        documents.append(document)
    out = []
    for document in documents:
        target = rng.randint(2, most) if rng.random() < short_seq_prob else most
        chunk = []
        for i, piece in enumerate(document):
            chunk.extend(piece)
            if i == len(document) - 1 or len(chunk) >= target:
                while len(chunk) > most:
                    del chunk[0 if rng.random() < 0.5 else -1]
                out.append([CLS] + chunk + [SEP])
                chunk = []
    rng.shuffle(out)
    return out


def masked_batch(rows, seq, vocab_size, rng):
    """Dynamic masking of 15% of the non-special tokens (at most ceil(0.15·seq) per sequence), 80% [MASK] / 10%
    random / 10% kept: ids, token types, attention mask, masked (batch, position) pairs and their labels."""
    width = max(len(r) for r in rows)
    ids = torch.zeros(len(rows), width, dtype=torch.long)
    mask = torch.zeros(len(rows), width, dtype=torch.long)
    positions, labels = [], []
    cap = math.ceil(0.15 * seq)
    for b, r in enumerate(rows):
        ids[b, :len(r)] = torch.tensor(r)
        mask[b, :len(r)] = 1
        candidates = list(range(1, len(r) - 1))
        rng.shuffle(candidates)
        for t in sorted(candidates[:min(cap, max(1, math.floor(0.15 * len(candidates) + 0.5)))]):
            positions.append((b, t))
            labels.append(r[t])
            u = rng.random()
            ids[b, t] = MASK if u < 0.8 else rng.randrange(FIRST_WORD, vocab_size) if u < 0.9 else r[t]
    return ids, torch.zeros_like(ids), mask, torch.tensor(positions), torch.tensor(labels)

"""minibert's optimiser recipe for the PyTorch peer scripts (peer_attenuation.py, peer_finetune.py), in one place."""
import torch


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

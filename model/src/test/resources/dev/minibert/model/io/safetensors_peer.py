"""Exercises the PyTorch peer's safetensors writer and reader (scripts/peer/torch_bert.py).

usage: safetensors_peer.py PEER_DIR write OUT.safetensors BITS.json
       safetensors_peer.py PEER_DIR read IN.safetensors BITS.json
BITS.json: {name: {"shape": [...], "bits": [int32 bit patterns of the F32 values, row-major]}}
"""
import json, sys

sys.path.insert(0, sys.argv[1])
import torch
from torch import nn
from torch_bert import load_safetensors, save_safetensors


def bits(tensors):
    return {k: {"shape": list(v.shape), "bits": v.contiguous().view(torch.int32).flatten().tolist()}
            for k, v in tensors.items()}


mode, tensor_path, bits_path = sys.argv[2:5]
if mode == "write":
    torch.manual_seed(0)
    m = nn.Module()
    m.dense = nn.Linear(4, 3)
    m.special = nn.Parameter(torch.tensor([float("nan"), float("inf"), float("-inf"), 1e-40, -0.0, 3.5]))
    save_safetensors(m, tensor_path)
    result = bits({k: v.detach() for k, v in m.state_dict().items()})
else:
    result = bits(load_safetensors(tensor_path))
with open(bits_path, "w") as f:
    json.dump(result, f)

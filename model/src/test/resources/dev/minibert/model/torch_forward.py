"""Runs the PyTorch peer BERT (scripts/peer/torch_bert.py) on a model directory we exported.

usage: torch_forward.py PEER_DIR MODEL_DIR INPUT_JSON OUTPUT_JSON
INPUT_JSON: {"input_ids": [[...]], "token_type_ids": [[...]], "attention_mask": [[...]]}
OUTPUT_JSON: {"last_hidden_state": [B][T][H], "pooler_output": [B][H]}
Loading is strict: a missing or unexpected tensor name fails, so HF naming is checked too.
"""
import json, os, sys

sys.path.insert(0, sys.argv[1])
import torch
from torch_bert import Bert, Config, load_safetensors

model_dir, input_path, output_path = sys.argv[2:5]
config = Config.load(os.path.join(model_dir, "config.json"))
bert = Bert(config)
tensors = load_safetensors(os.path.join(model_dir, "model.safetensors"))
bert.load_state_dict({k[len("bert."):]: v for k, v in tensors.items() if k.startswith("bert.")}, strict=True)
bert.eval()
with open(input_path) as f:
    batch = json.load(f)
with torch.no_grad():
    hidden, pooled = bert(torch.tensor(batch["input_ids"]), torch.tensor(batch["token_type_ids"]),
                          torch.tensor(batch["attention_mask"]))
with open(output_path, "w") as f:
    json.dump({"last_hidden_state": hidden.tolist(), "pooler_output": pooled.tolist()}, f)

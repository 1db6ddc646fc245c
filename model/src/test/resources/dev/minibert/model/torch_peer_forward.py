"""Runs the PyTorch peer (torch_bert.Bert) in float64 on the weights and inputs a Java test wrote.

argv: peers_dir in.json out.json. in.json: config, params (HF name -> flat values), ids, types, mask.
Writes last (flat [B*T*H]) and pooled (flat [B*H]).
"""
import json, sys
sys.path.insert(0, sys.argv[1])
import torch
from torch_bert import Config, Bert

d = json.load(open(sys.argv[2]))
model = Bert(Config(**d["config"])).double().eval()
state = model.state_dict()
params = {k[len("bert."):]: v for k, v in d["params"].items()}
if list(params) != list(state):
    sys.exit(f"parameter names/order differ: ours {list(params)} peer {list(state)}")
model.load_state_dict({k: torch.tensor(v, dtype=torch.float64).reshape(state[k].shape) for k, v in params.items()})
with torch.no_grad():
    last, pooled = model(*(torch.tensor(d[k]) for k in ("ids", "types", "mask")))
json.dump({"last": last.flatten().tolist(), "pooled": pooled.flatten().tolist()}, open(sys.argv[3], "w"))

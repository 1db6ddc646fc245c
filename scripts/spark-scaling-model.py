#!/usr/bin/env python3
"""Scaling efficiency E(N) of pretrain --spark from measured costs (docs/spark.md, "Communication and scaling").

A step on N workers, each running A micro-batches of B x T tokens:
  T(N) = A * t_micro                       compute, the same on every worker (weak scaling)
       + a                                 Spark's fixed cost of a job (fitted to CommunicationBench)
       + P * b_bcast + N * P * b_collect   serialization and copies per byte (fitted)
       + P / bw + N * P / bw               the broadcast leaving and the N shares reaching the driver's link
       + N * P * s_sum + t_update          the driver summing the shares and updating (measured)
E(N) = throughput(N) / (N * throughput(1)) = T(1) / T(N).
Usage: spark-scaling-model.py A_S B_BCAST_S_PER_MB B_COLLECT_S_PER_MB
"""
import sys

a, b_bcast, b_collect = (float(x) for x in sys.argv[1:4])
MB = 1e6
shapes = {  # parameters (float32 bytes), seconds per micro-batch of 32 x 128 tokens on this 2-core machine
    "default L12 H128 (18 MB)": (18 * MB, 4096 / 6830),   # docs/spark.md: bench pretrain 6,830 tokens/s (Zen 4)
    "bge-small L4 H512 V21128 (96 MB)": (96 * MB, 4096 / 1673),  # docs/speed.md: 1,673 tokens/s (Zen 4)
}
links = {"1 GbE": 125 * MB, "10 GbE": 1250 * MB, "25 GbE": 3125 * MB}
s_sum = 0.40e-3 / MB   # summing the shares into the driver's gradients, s/byte: 17 ms for 2 x 21.2 MB (docs/spark.md)
t_update_per_byte = 14e-3 / (21.2 * MB)  # clipping + AdamW: 14 ms for 21.2 MB measured (docs/spark.md)


def step(n, acc, p, t_micro, bw):
    return (acc * t_micro + a + p * (b_bcast + n * b_collect) / MB + p / bw + n * p / bw
            + n * p * s_sum + p * t_update_per_byte)


print("| shape | link | A | " + " | ".join(f"E({n})" for n in (2, 4, 8, 16, 32, 64)) + " | A for E(64) >= 0.8 |")
print("|---|---|---|" + "---|" * 7)
for shape, (p, t_micro) in shapes.items():
    for link, bw in links.items():
        need = next((acc for acc in range(1, 4097) if step(1, acc, p, t_micro, bw) / step(64, acc, p, t_micro, bw) >= 0.8),
                    None)
        for acc in (1, 8):
            effs = [step(1, acc, p, t_micro, bw) / step(n, acc, p, t_micro, bw) for n in (2, 4, 8, 16, 32, 64)]
            print(f"| {shape} | {link} | {acc} | " + " | ".join(f"{e:.2f}" for e in effs) + f" | {need} |")

"""Writes the optimizer fixtures of OptimizerTests (run with /usr/bin/python3 from the repo root).

optim_small.safetensors: parameters w1 [4,3], w2 [2,5], b [4] (rank 1), s [] (rank 0), c [3,2]; a fixed gradient per
step ("grad.<k>.<name>", k = 0..4; c has no gradient at step 1, so it is skipped there, as PyTorch does for
grad=None); initial values "init.<name>"; values after step k+1 of
  - "adamw.<k>.<name>": torch.optim.AdamW(lr_k, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.1) with two parameter
    groups so that only parameters of rank >= 2 are decayed (our default filter);
  - "sgd.<k>.<name>": torch.optim.SGD(lr_k, momentum=0.9, weight_decay=0.01);
  - "sgdn.<k>.<name>": the same with nesterov=True.
The learning rate of step k is lr_k = base * (1 - 0.1 * k) (base 1e-2 for AdamW, 5e-2 for SGD), set on the
param groups before each step, so the tests also cover changing LearningRate between steps.

optim_big.safetensors: one parameter "big" [180, 190] (more elements than the engine's parallel threshold), its
initial value, a gradient G with grad_k = G * SCALES[k], and the values after 5 steps of both optimizers.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
import st_io  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "MixFlow.Tensors.Tests", "Fixtures", "optim")
STEPS = 5
SCALES = [1.0, -0.5, 2.0, 0.25, -1.0]


def lr_at(base, k):
    return base * (1 - 0.1 * k)


def run(kind, init, grads):
    params = {n: torch.nn.Parameter(t.clone()) for n, t in init.items()}
    if kind == "adamw":
        decay = [p for p in params.values() if p.dim() >= 2]
        no_decay = [p for p in params.values() if p.dim() < 2]
        groups = [{"params": decay, "weight_decay": 0.1}]
        if no_decay:
            groups.append({"params": no_decay, "weight_decay": 0.0})
        opt = torch.optim.AdamW(groups, lr=1e-2, betas=(0.9, 0.99), eps=1e-8, foreach=False)
        base = 1e-2
    else:
        opt = torch.optim.SGD(params.values(), lr=5e-2, momentum=0.9, weight_decay=0.01, nesterov=(kind == "sgdn"),
                              foreach=False)
        base = 5e-2
    out = {}
    for k in range(STEPS):
        for g in opt.param_groups:
            g["lr"] = lr_at(base, k)
        for n, p in params.items():
            p.grad = grads[k].get(n)
        opt.step()
        for n, p in params.items():
            out[f"{kind}.{k}.{n}"] = p.detach().clone()
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    g = torch.Generator().manual_seed(2024)
    shapes = {"w1": (4, 3), "w2": (2, 5), "b": (4,), "s": (), "c": (3, 2)}
    init = {n: torch.randn(s, generator=g) for n, s in shapes.items()}
    grads = []
    for k in range(STEPS):
        gk = {n: torch.randn(s, generator=g) * (0.1 + k) for n, s in shapes.items()}
        if k == 1:
            del gk["c"]
        grads.append(gk)
    tensors = {f"init.{n}": t for n, t in init.items()}
    for k, gk in enumerate(grads):
        for n, t in gk.items():
            tensors[f"grad.{k}.{n}"] = t
    for kind in ("adamw", "sgd", "sgdn"):
        tensors.update(run(kind, init, grads))
    st_io.save(os.path.join(OUT, "optim_small.safetensors"), tensors, metadata={"steps": str(STEPS)})

    big_init = {"big": torch.randn(180, 190, generator=g)}
    G = torch.randn(180, 190, generator=g)
    big_grads = [{"big": G * s} for s in SCALES]
    big = {"init.big": big_init["big"], "grad.big": G}
    for kind in ("adamw", "sgd"):
        r = run(kind, big_init, big_grads)
        big[f"{kind}.big"] = r[f"{kind}.{STEPS - 1}.big"]
    st_io.save(os.path.join(OUT, "optim_big.safetensors"), big)
    print("wrote", len(tensors), "small and", len(big), "big tensors")


if __name__ == "__main__":
    main()

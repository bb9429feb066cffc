"""Dumps reference forward/backward results of two small composite graphs for the C# engine tests.

Run from the repository root:  /usr/bin/python3 tests/torch/make_composite_fixtures.py
Writes tests/MixFlow.Tensors.Tests/Fixtures/composite/{mlp,transformer}.safetensors (F32 via st_io.py). The graphs
are computed in float64 (then stored as float32) so that the fixtures hold the exact values the float32 C# engine is
compared against. Names: inputs and weights as-is, "out" (graph output), "loss" (rank 0) and "grad.<name>" for the
gradient of the loss with respect to every weight and to the input "x". Integer labels are stored as floats.
"""
import math
import os

import torch
import torch.nn.functional as F

import st_io

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "MixFlow.Tensors.Tests", "Fixtures", "composite")


def leaf(t):
    return t.to(torch.float64).requires_grad_(True)


def dump(path, leaves, extra, out, loss):
    loss.backward()
    tensors = dict(extra)
    for name, t in leaves.items():
        tensors[name] = t.detach()
        tensors["grad." + name] = t.grad.detach()
    tensors["out"] = out.detach()
    tensors["loss"] = loss.detach()
    st_io.save(path, tensors)


def mlp():
    """Linear(6→16) → SiLU → Linear(16→16) → GELU(tanh) → Linear(16→3), MSE against a random target."""
    g = torch.Generator().manual_seed(1234)
    n, d_in, hid, d_out = 8, 6, 16, 3
    p = {
        "x": leaf(torch.randn(n, d_in, generator=g)),
        "w1": leaf(torch.randn(hid, d_in, generator=g) / math.sqrt(d_in)),
        "b1": leaf(0.1 * torch.randn(hid, generator=g)),
        "w2": leaf(torch.randn(hid, hid, generator=g) / math.sqrt(hid)),
        "b2": leaf(0.1 * torch.randn(hid, generator=g)),
        "w3": leaf(torch.randn(d_out, hid, generator=g) / math.sqrt(hid)),
        "b3": leaf(0.1 * torch.randn(d_out, generator=g)),
    }
    target = torch.randn(n, d_out, generator=g).to(torch.float64)
    h = F.silu(F.linear(p["x"], p["w1"], p["b1"]))
    h = F.gelu(F.linear(h, p["w2"], p["b2"]), approximate="tanh")
    out = F.linear(h, p["w3"], p["b3"])
    loss = F.mse_loss(out, target)
    dump(os.path.join(OUT, "mlp.safetensors"), p, {"target": target}, out, loss)


def transformer():
    """Pre-LN block: x + proj(SDPA(qkv(LN1 x), causal mask, 4 heads)), then + fc2(GELU(fc1(LN2 ·))); CE head on every token."""
    g = torch.Generator().manual_seed(4321)
    b, t, c, heads, hidden, vocab = 2, 5, 16, 4, 32, 7
    hd = c // heads

    def w(o, i):
        return leaf(torch.randn(o, i, generator=g) / math.sqrt(i))

    def vec(k, base=0.0):
        return leaf(base + 0.1 * torch.randn(k, generator=g))

    p = {
        "x": leaf(torch.randn(b, t, c, generator=g)),
        "ln1.weight": vec(c, 1.0), "ln1.bias": vec(c),
        "qkv.weight": w(3 * c, c), "qkv.bias": vec(3 * c),
        "proj.weight": w(c, c), "proj.bias": vec(c),
        "ln2.weight": vec(c, 1.0), "ln2.bias": vec(c),
        "fc1.weight": w(hidden, c), "fc1.bias": vec(hidden),
        "fc2.weight": w(c, hidden), "fc2.bias": vec(c),
        "head.weight": w(vocab, c), "head.bias": vec(vocab),
    }
    labels = torch.randint(0, vocab, (b * t,), generator=g)
    mask = torch.triu(torch.full((t, t), float("-inf"), dtype=torch.float64), diagonal=1)

    x = p["x"]
    h = F.layer_norm(x, (c,), p["ln1.weight"], p["ln1.bias"], 1e-5)
    qkv = F.linear(h, p["qkv.weight"], p["qkv.bias"]).reshape(b, t, 3, heads, hd).permute(2, 0, 3, 1, 4)
    q, k, v = qkv[0], qkv[1], qkv[2]
    att = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(hd) + mask, dim=-1) @ v
    x = x + F.linear(att.transpose(1, 2).reshape(b, t, c), p["proj.weight"], p["proj.bias"])
    h = F.layer_norm(x, (c,), p["ln2.weight"], p["ln2.bias"], 1e-5)
    x = x + F.linear(F.gelu(F.linear(h, p["fc1.weight"], p["fc1.bias"])), p["fc2.weight"], p["fc2.bias"])
    logits = F.linear(x, p["head.weight"], p["head.bias"]).reshape(b * t, vocab)
    loss = F.cross_entropy(logits, labels)
    dump(os.path.join(OUT, "transformer.safetensors"), p, {"labels": labels.to(torch.float64), "mask": mask}, x, loss)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    mlp()
    transformer()
    print("wrote", sorted(os.listdir(OUT)))

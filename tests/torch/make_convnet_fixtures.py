"""Reference values for the engine's conv/pooling/masking ops (tests/MixFlow.Tensors.Tests/ConvTests.cs).

Writes tests/MixFlow.Tensors.Tests/Fixtures/convnet/convnet.safetensors with
  * a small conv net: conv3x3 s1 p1 -> SiLU -> masked_fill -> conv3x3 s2 p1 -> avgpool(2, 2) -> maxpool(2, 1)
    -> global average -> linear -> MSE against a target; inputs, weights, output, loss and the gradients of every
    weight and of the input (names "net.*", gradients "net.grad.*");
  * one convolution with different strides/paddings per axis (stride (2, 1), padding (0, 2)) under the objective
    sum(y * r): "rect.x", "rect.w", "rect.b", "rect.r", "rect.y" and gradients "rect.grad.{x,w,b}".
Run with /usr/bin/python3 (PyTorch 1.13) from the repository root.
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st_io  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "MixFlow.Tensors.Tests", "Fixtures", "convnet")


def net_case(g):
    t = {}
    t["x"] = torch.randn(2, 3, 11, 11, generator=g)
    t["w1"] = torch.randn(8, 3, 3, 3, generator=g) * 0.3
    t["b1"] = torch.randn(8, generator=g) * 0.1
    t["mask"] = (torch.rand(1, 8, 11, 1, generator=g) < 0.3).float()  # broadcast over N and W
    t["w2"] = torch.randn(6, 8, 3, 3, generator=g) * 0.2
    t["b2"] = torch.randn(6, generator=g) * 0.1
    t["wl"] = torch.randn(4, 6, generator=g) * 0.5
    t["bl"] = torch.randn(4, generator=g) * 0.1
    t["target"] = torch.randn(2, 4, generator=g)
    leaves = ["x", "w1", "b1", "w2", "b2", "wl", "bl"]
    for k in leaves:
        t[k].requires_grad_(True)
    h = F.conv2d(t["x"], t["w1"], t["b1"], stride=1, padding=1)
    h = F.silu(h)
    h = h.masked_fill(t["mask"].bool(), 0.25)
    h = F.conv2d(h, t["w2"], t["b2"], stride=2, padding=1)   # [2, 6, 6, 6]
    h = F.avg_pool2d(h, 2, 2)                                # [2, 6, 3, 3]
    h = F.max_pool2d(h, 2, 1)                                # [2, 6, 2, 2]
    h = h.mean(dim=(2, 3))                                   # [2, 6]
    y = F.linear(h, t["wl"], t["bl"])                        # [2, 4]
    loss = (y - t["target"]).square().mean()
    loss.backward()
    out = {f"net.{k}": v for k, v in t.items()}
    out["net.y"] = y
    out["net.loss"] = loss.reshape(1)
    for k in leaves:
        out[f"net.grad.{k}"] = t[k].grad
    return out


def rect_case(g):
    x = torch.randn(2, 3, 7, 9, generator=g).requires_grad_(True)
    w = (torch.randn(5, 3, 3, 2, generator=g) * 0.3).requires_grad_(True)
    b = torch.randn(5, generator=g).requires_grad_(True)
    y = F.conv2d(x, w, b, stride=(2, 1), padding=(0, 2))
    r = torch.randn(y.shape, generator=g)
    (y * r).sum().backward()
    return {"rect.x": x, "rect.w": w, "rect.b": b, "rect.r": r, "rect.y": y,
            "rect.grad.x": x.grad, "rect.grad.w": w.grad, "rect.grad.b": b.grad}


def main():
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(20261201)
    tensors = {}
    tensors.update(net_case(g))
    tensors.update(rect_case(g))
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "convnet.safetensors")
    st_io.save(path, tensors, metadata={"torch": torch.__version__, "script": "tests/torch/make_convnet_fixtures.py"})
    print(f"wrote {path} ({os.path.getsize(path)} bytes, {len(tensors)} tensors)")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""PyTorch side of MixFlow.NET's training-step benchmarks (bench/MixFlow.Bench).

Same models, same step as the C# engine's benchmark:
  mlp  concat(x[2], 64-d sinusoidal t-embedding) -> 256 -> 256 -> 256 -> 2, SiLU, batch 4096, AdamW(lr 1e-3)
  dit  28x28x1, patch 2 (196 tokens), width 256, 6 adaLN-Zero blocks, 4 heads, MLP x4, batch 64, AdamW(lr 1e-4, wd 0)
Step = draw noise and t, x_t = (1-t) x0 + t x1, loss = mean (v(x_t, t) - (x1 - x0))^2, backward, optimizer step.

Usage: flow_bench.py {mlp|dit} [threads] [steps]
Prints human-readable lines and one machine-readable line:
  TORCH <which> median_ms=<m> min_ms=<m> rss_mb=<peak RSS> threads=<n> params=<n>
Run it through the C# bench (which sets the environment like ../shared/reference/run_torch_reference.sh:
OPENBLAS_CORETYPE unset, OMP_WAIT_POLICY=PASSIVE, glibc malloc thresholds raised).
"""
import math
import os
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def sinusoidal(t, dim, max_period=10000.0):
    half = dim // 2
    k = torch.arange(half, dtype=torch.float32)
    freqs = torch.exp(-math.log(max_period) * k / half)
    ang = 1000.0 * t[:, None] * freqs[None, :]
    return torch.cat([torch.cos(ang), torch.sin(ang)], dim=1)


class FlowMlp(nn.Module):
    def __init__(self, width=256, temb=64):
        super().__init__()
        self.temb = temb
        layers, d = [], 2 + temb
        for _ in range(3):
            layers += [nn.Linear(d, width), nn.SiLU()]
            d = width
        layers.append(nn.Linear(d, 2))
        self.net = nn.Sequential(*layers)

    def forward(self, x, t):
        return self.net(torch.cat([x, sinusoidal(t, self.temb)], dim=1))


def modulate(h, shift, scale):
    return h * (1 + scale[:, None, :]) + shift[:, None, :]


class Block(nn.Module):
    def __init__(self, d, heads, ratio=4):
        super().__init__()
        self.heads = heads
        self.n1 = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.n2 = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        self.fc1 = nn.Linear(d, ratio * d)
        self.fc2 = nn.Linear(ratio * d, d)
        self.mod = nn.Linear(d, 6 * d)

    def attn(self, h):
        b, n, d = h.shape
        q, k, v = self.qkv(h).reshape(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        w = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // self.heads), dim=-1)
        return self.proj((w @ v).transpose(1, 2).reshape(b, n, d))

    def forward(self, h, c):
        s1, c1, g1, s2, c2, g2 = self.mod(F.silu(c)).chunk(6, dim=1)
        h = h + g1[:, None, :] * self.attn(modulate(self.n1(h), s1, c1))
        m = self.fc2(F.gelu(self.fc1(modulate(self.n2(h), s2, c2)), approximate="tanh"))
        return h + g2[:, None, :] * m


class SmallDit(nn.Module):
    def __init__(self, img=28, ch=1, patch=2, d=256, depth=6, heads=4, tdim=256):
        super().__init__()
        self.img, self.ch, self.p, self.tdim = img, ch, patch, tdim
        self.embed = nn.Conv2d(ch, d, patch, patch)
        self.pos = nn.Parameter(0.02 * torch.randn(1, (img // patch) ** 2, d))
        self.t1, self.t2 = nn.Linear(tdim, d), nn.Linear(d, d)
        self.blocks = nn.ModuleList(Block(d, heads) for _ in range(depth))
        self.norm = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        self.mod = nn.Linear(d, 2 * d)
        self.out = nn.Linear(d, patch * patch * ch)

    def forward(self, x, t):
        b = x.shape[0]
        h = self.embed(x).flatten(2).transpose(1, 2) + self.pos
        c = self.t2(F.silu(self.t1(sinusoidal(t, self.tdim))))
        for blk in self.blocks:
            h = blk(h, c)
        shift, scale = self.mod(F.silu(c)).chunk(2, dim=1)
        h = self.out(modulate(self.norm(h), shift, scale))
        g = self.img // self.p
        h = h.reshape(b, g, g, self.p, self.p, self.ch).permute(0, 5, 1, 3, 2, 4)
        return h.reshape(b, self.ch, self.img, self.img)


def train_step(model, opt, x1):
    x0 = torch.randn_like(x1)
    t = torch.rand(x1.shape[0])
    tt = t.reshape(-1, *([1] * (x1.dim() - 1)))
    loss = F.mse_loss(model((1 - tt) * x0 + tt * x1, t), x1 - x0)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss.item()


def eight_gaussians(n):
    ang = torch.randint(0, 8, (n,)).float() * (math.pi / 4)
    return 2 * torch.stack([torch.cos(ang), torch.sin(ang)], 1) + 0.1 * torch.randn(n, 2)


def main():
    which = sys.argv[1] if len(sys.argv) > 1 else "mlp"
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    if which == "mlp":
        model = FlowMlp()
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
        batch, warm = (lambda: eight_gaussians(4096)), 5
    elif which == "dit":
        model = SmallDit()
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.0)
        batch, warm = (lambda: torch.rand(64, 1, 28, 28) * 2 - 1), 2
    else:
        sys.exit(f"unknown benchmark '{which}' (expected mlp or dit)")
    for _ in range(warm):
        train_step(model, opt, batch())
    times = []
    for _ in range(steps):
        x1 = batch()
        start = time.perf_counter()
        train_step(model, opt, x1)
        times.append(1000 * (time.perf_counter() - start))
    times.sort()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    params = sum(p.numel() for p in model.parameters())
    print(f"torch {torch.__version__} OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')} {which}: "
          f"median {times[len(times) // 2]:.1f} ms/step (min {times[0]:.1f}, n={steps})", flush=True)
    print(f"TORCH {which} median_ms={times[len(times) // 2]:.2f} min_ms={times[0]:.2f} rss_mb={rss:.0f} "
          f"threads={threads} params={params}", flush=True)


if __name__ == "__main__":
    main()

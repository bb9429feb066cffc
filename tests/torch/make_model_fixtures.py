#!/usr/bin/python3
"""Fixtures for the model tests (tests/MixFlow.Tests/Models): a tiny SiT/DiT, the classifier CNN and FlowMlp.

The SiT below follows the structure and state-dict names of facebookresearch/DiT models.py (TimestepEmbedder,
LabelEmbedder, timm PatchEmbed/Attention/Mlp, DiTBlock, FinalLayer, unpatchify, 2-D sin-cos pos_embed), written out
here because timm is not installed and torch 1.13 has no scaled_dot_product_attention. Weights are exported with the
official names and the conv-shaped patch weight. The time embedder receives 1000 * t (C# TimeScale = 1000).

Run: /usr/bin/python3 tests/torch/make_model_fixtures.py   (writes tests/MixFlow.Tests/Fixtures/models/*.safetensors)
"""
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st_io  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "MixFlow.Tests", "Fixtures", "models")


def modulate(x, shift, scale):
    return x * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1)


class TimestepEmbedder(nn.Module):
    def __init__(self, hidden, freq=256):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(freq, hidden), nn.SiLU(), nn.Linear(hidden, hidden))
        self.freq = freq

    @staticmethod
    def timestep_embedding(t, dim, max_period=10000):
        half = dim // 2
        freqs = torch.exp(-math.log(max_period) * torch.arange(start=0, end=half, dtype=torch.float32) / half)
        args = t[:, None].float() * freqs[None]
        emb = torch.cat([torch.cos(args), torch.sin(args)], dim=-1)
        if dim % 2:
            emb = torch.cat([emb, torch.zeros_like(emb[:, :1])], dim=-1)
        return emb

    def forward(self, t):
        return self.mlp(self.timestep_embedding(t, self.freq))


class LabelEmbedder(nn.Module):
    def __init__(self, num_classes, hidden, dropout_prob):
        super().__init__()
        self.embedding_table = nn.Embedding(num_classes + int(dropout_prob > 0), hidden)

    def forward(self, labels):
        return self.embedding_table(labels)


class PatchEmbed(nn.Module):
    def __init__(self, ch, hidden, p):
        super().__init__()
        self.proj = nn.Conv2d(ch, hidden, p, p)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        hd = c // self.heads
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, hd).permute(2, 0, 3, 1, 4).unbind(0)
        attn = ((q * hd ** -0.5) @ k.transpose(-2, -1)).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU(approximate="tanh")
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class DiTBlock(nn.Module):
    def __init__(self, hidden, heads, mlp_ratio=4.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(hidden, elementwise_affine=False, eps=1e-6)
        self.attn = Attention(hidden, heads)
        self.norm2 = nn.LayerNorm(hidden, elementwise_affine=False, eps=1e-6)
        self.mlp = Mlp(hidden, int(hidden * mlp_ratio))
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(hidden, 6 * hidden))

    def forward(self, x, c):
        sm, cm, gm, sp, cp, gp = self.adaLN_modulation(c).chunk(6, dim=1)
        x = x + gm.unsqueeze(1) * self.attn(modulate(self.norm1(x), sm, cm))
        return x + gp.unsqueeze(1) * self.mlp(modulate(self.norm2(x), sp, cp))


class FinalLayer(nn.Module):
    def __init__(self, hidden, p, out_ch):
        super().__init__()
        self.norm_final = nn.LayerNorm(hidden, elementwise_affine=False, eps=1e-6)
        self.linear = nn.Linear(hidden, p * p * out_ch)
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(hidden, 2 * hidden))

    def forward(self, x, c):
        shift, scale = self.adaLN_modulation(c).chunk(2, dim=1)
        return self.linear(modulate(self.norm_final(x), shift, scale))


def get_1d_sincos_pos_embed_from_grid(embed_dim, pos):
    omega = np.arange(embed_dim // 2, dtype=np.float64) / (embed_dim / 2.0)
    omega = 1.0 / 10000 ** omega
    out = np.einsum("m,d->md", pos.reshape(-1), omega)
    return np.concatenate([np.sin(out), np.cos(out)], axis=1)


def get_2d_sincos_pos_embed(embed_dim, grid_size):
    grid_h = np.arange(grid_size, dtype=np.float32)
    grid_w = np.arange(grid_size, dtype=np.float32)
    grid = np.stack(np.meshgrid(grid_w, grid_h), axis=0).reshape([2, 1, grid_size, grid_size])
    emb_h = get_1d_sincos_pos_embed_from_grid(embed_dim // 2, grid[0])
    emb_w = get_1d_sincos_pos_embed_from_grid(embed_dim // 2, grid[1])
    return np.concatenate([emb_h, emb_w], axis=1)


class SiT(nn.Module):
    def __init__(self, input_size, patch, in_ch, hidden, depth, heads, num_classes, class_dropout_prob, learn_sigma):
        super().__init__()
        self.learn_sigma, self.in_ch, self.p = learn_sigma, in_ch, patch
        self.out_ch = in_ch * 2 if learn_sigma else in_ch
        self.x_embedder = PatchEmbed(in_ch, hidden, patch)
        self.t_embedder = TimestepEmbedder(hidden)
        self.y_embedder = LabelEmbedder(num_classes, hidden, class_dropout_prob)
        n = (input_size // patch) ** 2
        self.pos_embed = nn.Parameter(torch.zeros(1, n, hidden), requires_grad=False)
        self.pos_embed.data.copy_(torch.from_numpy(get_2d_sincos_pos_embed(hidden, int(n ** 0.5))).float().unsqueeze(0))
        self.blocks = nn.ModuleList([DiTBlock(hidden, heads) for _ in range(depth)])
        self.final_layer = FinalLayer(hidden, patch, self.out_ch)

    def unpatchify(self, x):
        c, p = self.out_ch, self.p
        h = w = int(x.shape[1] ** 0.5)
        x = x.reshape(x.shape[0], h, w, p, p, c)
        x = torch.einsum("nhwpqc->nchpwq", x)
        return x.reshape(x.shape[0], c, h * p, h * p)

    def forward(self, x, t, y):
        x = self.x_embedder(x) + self.pos_embed
        c = self.t_embedder(t) + self.y_embedder(y)
        for b in self.blocks:
            x = b(x, c)
        x = self.unpatchify(self.final_layer(x, c))
        if self.learn_sigma:
            x, _ = x.chunk(2, dim=1)
        return x


def randomize(model, std=0.15):
    """Non-zero values everywhere (DiT's init zeroes the adaLN layers, which would hide most of the network)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name != "pos_embed":
                p.normal_(0, std)


def tiny_sit():
    torch.manual_seed(1234)
    model = SiT(input_size=8, patch=2, in_ch=2, hidden=64, depth=2, heads=4, num_classes=5,
                class_dropout_prob=0.1, learn_sigma=False)
    randomize(model)
    x = torch.randn(3, 2, 8, 8, requires_grad=True)
    t = torch.rand(3)
    y = torch.tensor([1, 4, 5])  # 5 = the null label
    out = model(x, 1000.0 * t, y)
    r = torch.randn_like(out)
    loss = (out * r).mean()
    loss.backward()
    weights = {k: v for k, v in model.state_dict().items()}
    st_io.save(os.path.join(OUT, "tiny_sit_weights.safetensors"), weights)
    io = {"x": x.detach(), "t": t, "y": y.float(), "out": out.detach(), "r": r, "loss": loss.detach().reshape(1),
          "grad.x": x.grad}
    for k, p in model.named_parameters():
        if p.grad is not None:
            io["grad." + k] = p.grad
    st_io.save(os.path.join(OUT, "tiny_sit_io.safetensors"), io)
    print("tiny sit params", sum(p.numel() for p in model.parameters() if p.requires_grad), "loss", loss.item())


class ClassifierCnn(nn.Module):
    def __init__(self, ch=1, classes=10, widths=(32, 64, 128)):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(ch, widths[0], 3, 1, 1), nn.SiLU(),
            nn.Conv2d(widths[0], widths[1], 3, 2, 1), nn.SiLU(),
            nn.Conv2d(widths[1], widths[2], 3, 2, 1), nn.SiLU())
        self.head = nn.Linear(widths[2], classes)

    def feats(self, x):
        return self.features(x).mean(dim=(2, 3))

    def forward(self, x):
        return self.head(self.feats(x))


def classifier():
    torch.manual_seed(99)
    model = ClassifierCnn()
    x = torch.randn(2, 1, 28, 28)
    with torch.no_grad():
        feats, logits = model.feats(x), model(x)
    st_io.save(os.path.join(OUT, "classifier_weights.safetensors"), model.state_dict())
    st_io.save(os.path.join(OUT, "classifier_io.safetensors"), {"x": x, "features": feats, "logits": logits})


def sinusoidal(t, dim, max_period=10000.0):
    half = dim // 2
    k = torch.arange(half, dtype=torch.float32)
    freqs = torch.exp(-math.log(max_period) * k / half)
    ang = 1000.0 * t[:, None] * freqs[None, :]
    return torch.cat([torch.cos(ang), torch.sin(ang)], dim=1)


class FlowMlp(nn.Module):
    """The benchmark's FlowMlp (bench/MixFlow.Bench/torch/flow_bench.py) with a smaller width."""

    def __init__(self, width=32, temb=64, depth=3, d=2):
        super().__init__()
        self.temb = temb
        layers, n = [], d + temb
        for _ in range(depth):
            layers += [nn.Linear(n, width), nn.SiLU()]
            n = width
        layers.append(nn.Linear(n, d))
        self.net = nn.Sequential(*layers)

    def forward(self, x, t):
        return self.net(torch.cat([x, sinusoidal(t, self.temb)], dim=1))


def flow_mlp():
    torch.manual_seed(7)
    model = FlowMlp()
    x = torch.randn(5, 2)
    t = torch.rand(5)
    with torch.no_grad():
        out = model(x, t)
    st_io.save(os.path.join(OUT, "flow_mlp_weights.safetensors"), model.state_dict())
    st_io.save(os.path.join(OUT, "flow_mlp_io.safetensors"), {"x": x, "t": t, "out": out})


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    tiny_sit()
    classifier()
    flow_mlp()
    for f in sorted(os.listdir(OUT)):
        print(f, os.path.getsize(os.path.join(OUT, f)))

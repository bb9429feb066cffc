#!/usr/bin/python3
"""Fixtures for the REPA / RAE / DiT-DH tests (tests/MixFlow.Tests/Representation).

* repa_loss.safetensors: REPA's projector (Linear-SiLU-Linear-SiLU-Linear, names fc1/fc2/fc3), hidden tokens, encoder
  tokens, the loss -mean_{n,t} <normalize(proj(h)), normalize(z)> (F.normalize, as REPA's training loss) and the
  gradients of the projector weights and of the hidden tokens.
* token_resample.safetensors: encoder tokens on a 4x4 grid resampled to 2x2 by average pooling and to 3x3 / 6x6 by
  nearest-exact interpolation (cell-centre rule), the two rules of TokenResampling.ToGrid.
* ditdh_weights / ditdh_io.safetensors: a tiny DiT-DH (trunk 2 SiT blocks of width 32, head 1 block of width 48 with
  per-token adaLN conditioning from s = s_projector(trunk_tokens + c)), its output and the gradients of every
  parameter and of the input for loss = mean(out * r).

DiT building blocks come from make_model_fixtures.py (DiT models.py structure). The time embedder receives 1000 * t.
Run: /usr/bin/python3 tests/torch/make_repa_rae_fixtures.py
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st_io  # noqa: E402
from make_model_fixtures import (Attention, DiTBlock, LabelEmbedder, Mlp, PatchEmbed,  # noqa: E402
                                 TimestepEmbedder, get_2d_sincos_pos_embed)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "MixFlow.Tests", "Fixtures", "repa_rae")


class Projector(nn.Module):
    def __init__(self, din, dh, dout):
        super().__init__()
        self.fc1 = nn.Linear(din, dh)
        self.fc2 = nn.Linear(dh, dh)
        self.fc3 = nn.Linear(dh, dout)

    def forward(self, x):
        return self.fc3(F.silu(self.fc2(F.silu(self.fc1(x)))))


def repa_loss():
    torch.manual_seed(7)
    proj = Projector(16, 32, 12)
    h = torch.randn(3, 9, 16, requires_grad=True)
    z = torch.randn(3, 9, 12) * 2.0 + 0.5
    p = proj(h)
    per = -(F.normalize(p, dim=-1) * F.normalize(z, dim=-1)).sum(dim=-1).mean(dim=1)
    loss = per.mean()
    loss.backward()
    st_io.save(os.path.join(OUT, "repa_projector_weights.safetensors"), dict(proj.state_dict()))
    io = {"hidden": h.detach(), "tokens": z, "projected": p.detach(), "per_sample": per.detach(),
          "loss": loss.detach().reshape(1), "grad.hidden": h.grad}
    for k, v in proj.named_parameters():
        io["grad." + k] = v.grad
    st_io.save(os.path.join(OUT, "repa_loss.safetensors"), io)
    print("repa loss", loss.item())


def token_resample():
    torch.manual_seed(8)
    tok = torch.randn(2, 16, 5)  # [N, 4*4, D]
    grid = tok.transpose(1, 2).reshape(2, 5, 4, 4)
    pool = F.avg_pool2d(grid, 2).reshape(2, 5, 4).transpose(1, 2)
    near3 = F.interpolate(grid, size=(3, 3), mode="nearest-exact").reshape(2, 5, 9).transpose(1, 2)
    near6 = F.interpolate(grid, size=(6, 6), mode="nearest-exact").reshape(2, 5, 36).transpose(1, 2)
    st_io.save(os.path.join(OUT, "token_resample.safetensors"),
               {"tokens": tok, "pool2": pool.contiguous(), "nearest3": near3.contiguous(), "nearest6": near6.contiguous()})


def modulate_tok(x, shift, scale):
    return x * (1 + scale) + shift


class HeadBlock(nn.Module):
    def __init__(self, hidden, heads, mlp_ratio=4.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(hidden, elementwise_affine=False, eps=1e-6)
        self.attn = Attention(hidden, heads)
        self.norm2 = nn.LayerNorm(hidden, elementwise_affine=False, eps=1e-6)
        self.mlp = Mlp(hidden, int(hidden * mlp_ratio))
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(hidden, 6 * hidden))

    def forward(self, x, s):  # s: [B, T, D] per-token conditioning
        sm, cm, gm, sp, cp, gp = self.adaLN_modulation(s).chunk(6, dim=-1)
        x = x + gm * self.attn(modulate_tok(self.norm1(x), sm, cm))
        return x + gp * self.mlp(modulate_tok(self.norm2(x), sp, cp))


class HeadFinal(nn.Module):
    def __init__(self, hidden, p, out_ch):
        super().__init__()
        self.norm_final = nn.LayerNorm(hidden, elementwise_affine=False, eps=1e-6)
        self.linear = nn.Linear(hidden, p * p * out_ch)
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(hidden, 2 * hidden))

    def forward(self, x, s):
        shift, scale = self.adaLN_modulation(s).chunk(2, dim=-1)
        return self.linear(modulate_tok(self.norm_final(x), shift, scale))


class DiTDH(nn.Module):
    def __init__(self, input_size, patch, in_ch, hidden, depth, heads, head_hidden, head_depth, head_heads,
                 num_classes, class_dropout_prob):
        super().__init__()
        self.p, self.c = patch, in_ch
        g = input_size // patch
        self.x_embedder = PatchEmbed(in_ch, hidden, patch)
        self.t_embedder = TimestepEmbedder(hidden)
        self.y_embedder = LabelEmbedder(num_classes, hidden, class_dropout_prob)
        self.pos_embed = nn.Parameter(torch.from_numpy(get_2d_sincos_pos_embed(hidden, g)).float().unsqueeze(0),
                                      requires_grad=False)
        self.blocks = nn.ModuleList([DiTBlock(hidden, heads) for _ in range(depth)])
        self.s_projector = nn.Linear(hidden, head_hidden)
        self.head_x_embedder = PatchEmbed(in_ch, head_hidden, patch)
        self.head_pos_embed = nn.Parameter(
            torch.from_numpy(get_2d_sincos_pos_embed(head_hidden, g)).float().unsqueeze(0), requires_grad=False)
        self.head_blocks = nn.ModuleList([HeadBlock(head_hidden, head_heads) for _ in range(head_depth)])
        self.final_layer = HeadFinal(head_hidden, patch, in_ch)

    def forward(self, x, t, y):
        h = self.x_embedder(x) + self.pos_embed
        c = self.t_embedder(t) + self.y_embedder(y)
        for b in self.blocks:
            h = b(h, c)
        s = self.s_projector(h + c.unsqueeze(1))
        z = self.head_x_embedder(x) + self.head_pos_embed
        for b in self.head_blocks:
            z = b(z, s)
        z = self.final_layer(z, s)
        n, t_, _ = z.shape
        g = int(t_ ** 0.5)
        z = z.reshape(n, g, g, self.p, self.p, self.c)
        z = torch.einsum("nhwpqc->nchpwq", z)
        return z.reshape(n, self.c, g * self.p, g * self.p)


def ditdh():
    torch.manual_seed(99)
    model = DiTDH(input_size=6, patch=2, in_ch=3, hidden=32, depth=2, heads=2, head_hidden=48, head_depth=1,
                  head_heads=4, num_classes=4, class_dropout_prob=0.1)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "pos_embed" not in name:
                p.normal_(0, 0.15)
    x = torch.randn(3, 3, 6, 6, requires_grad=True)
    t = torch.rand(3)
    y = torch.tensor([1, 3, 4])  # 4 = null label
    out = model(x, 1000.0 * t, y)
    r = torch.randn_like(out)
    loss = (out * r).mean()
    loss.backward()
    st_io.save(os.path.join(OUT, "ditdh_weights.safetensors"), dict(model.state_dict()))
    io = {"x": x.detach(), "t": t, "y": y.float(), "out": out.detach(), "r": r, "loss": loss.detach().reshape(1),
          "grad.x": x.grad}
    for k, p in model.named_parameters():
        if p.grad is not None:
            io["grad." + k] = p.grad
    st_io.save(os.path.join(OUT, "ditdh_io.safetensors"), io)
    print("ditdh params", sum(p.numel() for p in model.parameters() if p.requires_grad), "loss", loss.item())


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    repa_loss()
    token_resample()
    ditdh()

"""Writes the safetensors fixtures of SafeTensorsTests (run with /usr/bin/python3 from the repo root).

- py_f32.safetensors: F32 tensors written by st_io.save (incl. a rank-0 and an empty tensor) and metadata.
- py_f16.safetensors / py_bf16.safetensors: hand-built headers holding half / bfloat16 bytes (from numpy float16 and
  torch bfloat16) next to an F32 copy of the exact same values ("<name>_f32"), so the test compares the C# conversion
  against PyTorch's own widening.
- py_ints.safetensors: F64, I64, I32, U8 and BOOL tensors with their F32 expectations.

Usage: /usr/bin/python3 tests/torch/make_safetensors_fixtures.py [--check FILE]
  --check FILE reads a file written by the C# writer with st_io.load and prints its tensors (interop check).
"""
import json
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
import st_io  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "MixFlow.Tensors.Tests", "Fixtures", "safetensors")


def write_raw(path, entries, metadata=None):
    """entries: list of (name, dtype string, shape, raw bytes); written in order, header padded to 8 bytes."""
    header, blobs, off = {}, [], 0
    for name, dtype, shape, raw in entries:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    if metadata:
        header["__metadata__"] = metadata
    js = json.dumps(header).encode("utf-8")
    js += b" " * ((8 - len(js) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(js)))
        f.write(js)
        for b in blobs:
            f.write(b)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        for k, v in st_io.load(sys.argv[2]).items():
            print(k, list(v.shape), v.flatten()[:6].tolist())
        return
    os.makedirs(OUT, exist_ok=True)
    g = torch.Generator().manual_seed(1234)

    st_io.save(os.path.join(OUT, "py_f32.safetensors"), {
        "layer.weight": torch.randn(3, 4, generator=g),
        "layer.bias": torch.randn(4, generator=g),
        "scalar": torch.tensor(2.5),
        "empty": torch.zeros(0, 3),
        "big": torch.randn(2, 3, 5, generator=g) * 100,
        "ramp": torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) * 0.5 - 3,
    }, metadata={"format": "pt", "note": "written by st_io.py"})

    specials = np.array([0.0, -0.0, 1.0, -2.0, 65504.0, -65504.0, 6.1035156e-05, 5.96e-08, np.inf, -np.inf, 0.333251953125],
                        dtype=np.float16)
    rnd = (torch.randn(3, 7, generator=g) * 10).numpy().astype(np.float16)
    write_raw(os.path.join(OUT, "py_f16.safetensors"), [
        ("specials", "F16", specials.shape, specials.astype("<f2").tobytes()),
        ("specials_f32", "F32", specials.shape, specials.astype("<f4").tobytes()),
        ("rnd", "F16", rnd.shape, rnd.astype("<f2").tobytes()),
        ("rnd_f32", "F32", rnd.shape, rnd.astype("<f4").tobytes()),
    ])

    bf = torch.cat([torch.tensor([0.0, -0.0, 1.0, -3.5, 1e30, -1e-30, float("inf"), float("-inf")]),
                    torch.randn(12, generator=g) * 7]).to(torch.bfloat16).reshape(4, 5)
    bf_raw = bf.view(torch.int16).numpy().astype("<i2").tobytes()
    bf32 = bf.to(torch.float32).numpy()
    write_raw(os.path.join(OUT, "py_bf16.safetensors"), [
        ("w", "BF16", bf.shape, bf_raw),
        ("w_f32", "F32", bf.shape, bf32.astype("<f4").tobytes()),
    ], metadata={"dtype": "bfloat16"})

    f64 = np.array([1.0 / 3.0, -1e-10, 12345.678901234, 1e38], dtype="<f8")
    i64 = np.array([[-5, 0, 7], [1 << 40, -(1 << 20), 3]], dtype="<i8")
    i32 = np.array([-2147483648, 2147483647, 0, 42], dtype="<i4")
    u8 = np.array([0, 1, 128, 255], dtype="u1")
    bl = np.array([0, 1, 0, 1, 1], dtype="u1")
    write_raw(os.path.join(OUT, "py_ints.safetensors"), [
        ("f64", "F64", f64.shape, f64.tobytes()), ("f64_f32", "F32", f64.shape, f64.astype("<f4").tobytes()),
        ("i64", "I64", i64.shape, i64.tobytes()), ("i64_f32", "F32", i64.shape, i64.astype("<f4").tobytes()),
        ("i32", "I32", i32.shape, i32.tobytes()), ("i32_f32", "F32", i32.shape, i32.astype("<f4").tobytes()),
        ("u8", "U8", u8.shape, u8.tobytes()), ("u8_f32", "F32", u8.shape, u8.astype("<f4").tobytes()),
        ("bool", "BOOL", bl.shape, bl.tobytes()), ("bool_f32", "F32", bl.shape, bl.astype("<f4").tobytes()),
    ])

    # the values of py_f32, printed so the C# test's expectations can be cross-checked by eye
    for k, v in st_io.load(os.path.join(OUT, "py_f32.safetensors")).items():
        print(k, list(v.shape), v.flatten()[:4].tolist())


if __name__ == "__main__":
    main()

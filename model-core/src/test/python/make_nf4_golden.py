#!/usr/bin/python3
"""Golden values for the Java NF4 codec (dev.orpo.model.quant), from the published definitions, in float32 PyTorch.

NF4 (Dettmers et al. 2023, "QLoRA", and bitsandbytes' quantize_4bit / dequantize_4bit):
  - 16 code values: quantiles of N(0, 1) normalised to [-1, 1], 8 positive, 7 negative and an exact zero
    (bitsandbytes' create_normal_map with offset 0.9677083); checked here against the published table;
  - blockwise absmax: each block of `blocksize` consecutive values (row-major, last block may be short) is scaled by
    1 / max|x| (clamped to [-1, 1]) and mapped to the nearest code (first index on a tie, as argmin);
  - two codes per byte, the first value in the high nibble; an odd count is padded with a 0.0 value;
  - double quantization (bnb_4bit_use_double_quant): offset = mean(absmax); absmax - offset is quantized blockwise
    (blocks of 256) to 8 bits with the signed dynamic map (create_dynamic_map(signed=True, 7, 8));
    absmax ≈ dynamic[q] * absmax2 + offset.
Run with Debian's python3-torch:  /usr/bin/python3 model-core/src/test/python/make_nf4_golden.py
Writes model-core/src/test/resources/golden/nf4/nf4.json; CI only reads the JSON. Float arrays are little-endian
float32 and byte arrays raw bytes, both base64, so values travel bit-exactly.
"""
import base64
import json
import os

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "golden", "nf4")

# The published NF4 table (QLoRA appendix E; bitsandbytes' NF4 kernel constants).
NF4_PUBLISHED = [-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
                 -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
                 0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
                 0.7229568362236023, 1.0]


def normal_map(offset=0.9677083):
    """NF4 from its definition: 8 positive and 7 negative N(0,1) quantiles plus zero, divided by the largest."""
    pos = torch.special.ndtri(torch.linspace(offset, 0.5, 9, dtype=torch.float64)[:-1])
    neg = -torch.special.ndtri(torch.linspace(offset, 0.5, 8, dtype=torch.float64)[:-1])
    v = torch.cat([pos, torch.zeros(1, dtype=torch.float64), neg]).sort().values
    return (v / v.max()).float()


def linspace32(start, end, steps):
    """Current PyTorch's CPU linspace in float32: start + step*i in the first half, end - step*(steps-1-i) after.

    The vectorized kernel of the installed PyTorch 1.13 differs from it in the last bit of some entries (later releases
    removed that vectorization for precision), so the map is built with the scalar rule that bitsandbytes gets today.
    """
    start, end = torch.tensor(start, dtype=torch.float32), torch.tensor(end, dtype=torch.float32)
    step = (end - start) / (steps - 1)
    return torch.stack([start + step * i if i < steps // 2 else end - step * (steps - i - 1) for i in range(steps)])


def dynamic_map():
    """Signed 8-bit dynamic map: for exponents 10^-6 … 10^0, 2^i midpoints of linspace(0.1, 1, 2^i + 1), ±; 0; 1."""
    data = []
    for i in range(7):
        b = linspace32(0.1, 1, 2 ** i + 1)
        means = (b[:-1] + b[1:]) / 2.0
        data += ((10 ** (-6 + i)) * means).tolist()
        data += (-(10 ** (-6 + i)) * means).tolist()
    data += [0.0, 1.0]
    assert len(data) == 256
    return torch.tensor(sorted(data), dtype=torch.float32)


def quantize_blockwise(x, code, blocksize):
    """Per block: absmax, scaled = clamp(x * (1/absmax), -1, 1), index of the nearest code (argmin: first on ties)."""
    n = x.numel()
    blocks = (n + blocksize - 1) // blocksize
    absmax = torch.zeros(blocks, dtype=torch.float32)
    q = torch.zeros(n, dtype=torch.int64)
    for b in range(blocks):
        part = x[b * blocksize:(b + 1) * blocksize]
        absmax[b] = part.abs().max()
        scaled = torch.clamp(part * (1 / absmax[b]), -1, 1)
        q[b * blocksize:(b + 1) * blocksize] = torch.argmin((scaled.unsqueeze(-1) - code).abs(), dim=-1)
    return q, absmax


def dequantize_blockwise(q, absmax, code, blocksize):
    out = code[q].clone()
    for b in range(absmax.numel()):
        out[b * blocksize:(b + 1) * blocksize] *= absmax[b]
    return out


def pack(q):
    """Two 4-bit codes per byte, first value in the high nibble; odd length padded with the code of 0.0 (7)."""
    if q.numel() % 2:
        q = torch.cat([q, torch.tensor([7])])
    return (q[0::2] << 4 | q[1::2]).to(torch.uint8)


def f32(t):
    return base64.b64encode(t.to(torch.float32).contiguous().numpy().astype("<f4").tobytes()).decode()


def u8(t):
    return base64.b64encode(t.to(torch.uint8).contiguous().numpy().tobytes()).decode()


def case(name, shape, blocksize, double_quant, gen, scale=0.02):
    x = (torch.randn(shape, generator=gen) * scale).reshape(-1)
    x[3] = 0.0  # an exact zero, an exact block maximum and a value exactly on a code
    x[5] = -x.abs()[:blocksize].max() * 1.5
    x[6] = x[5] * NF4_PUBLISHED[12] * -1
    nf4 = torch.tensor(NF4_PUBLISHED, dtype=torch.float32)
    q, absmax = quantize_blockwise(x, nf4, blocksize)
    out = {"name": name, "shape": list(shape), "block_size": blocksize, "double_quant": double_quant,
           "input": f32(x), "packed": u8(pack(q))}
    if double_quant:
        offset = absmax.mean()
        dyn = dynamic_map()
        q2, absmax2 = quantize_blockwise(absmax - offset, dyn, 256)
        scales = dequantize_blockwise(q2, absmax2, dyn, 256) + offset
        out.update({"offset": float(offset), "quantized_absmax": u8(q2), "absmax2": f32(absmax2),
                    "scales": f32(scales)})
    else:
        scales = absmax
        out["absmax"] = f32(absmax)
    out["dequantized"] = f32(dequantize_blockwise(q, scales, nf4, blocksize))
    out["max_abs_error"] = float((dequantize_blockwise(q, scales, nf4, blocksize) - x).abs().max())
    return out


def main():
    computed = normal_map()
    assert torch.allclose(computed, torch.tensor(NF4_PUBLISHED), atol=1e-6), computed
    gen = torch.Generator().manual_seed(4)
    cases = [case("plain_partial_block", (3, 100), 64, False, gen),
             case("odd_length_block32", (7, 11), 32, False, gen),
             case("double_quant_two_groups", (20, 896), 64, True, gen)]
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "nf4.json"), "w") as f:
        json.dump({"nf4_code": NF4_PUBLISHED, "dynamic_code": f32(dynamic_map()), "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()

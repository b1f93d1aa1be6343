#!/usr/bin/python3
"""Golden values for the Java 8-bit AdamW (dev.orpo.model.train.AdamW8bit, dev.orpo.model.quant.DynamicQuantization),
from bitsandbytes' published definitions, re-implemented in float32 PyTorch (bitsandbytes itself is not installed):

  - the 8-bit dynamic maps: create_dynamic_map(signed=True) for the first moment, create_dynamic_map(signed=False) for
    the second (256 values each: for decades 10^-6 ... 10^0 the midpoints of linspace(0.1, 1, k + 1), with k = 2^i
    signed and 2^(i+1) unsigned, both signs when signed; plus 0 and 1; sorted);
  - quantize_blockwise (bitsandbytes' default backend): blocks of 256 consecutive values; a full block is scaled by
    1 / max(absmax, 1e-38), a short last block divided by it; clamped to [-1, 1]; the code index is
    bucketize(scaled, midpoints of adjacent codes) (a value on a midpoint takes the lower code); dequantized value
    code[q] * absmax;
  - the 8-bit blockwise Adam update (bitsandbytes' CPU reference, optimizer_update_8bit_blockwise): dequantize both
    moments, m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, p *= 1 - lr wd, p -= lr / (1 - b1^t) *
    m / (sqrt(v) / sqrt(1 - b2^t) + eps), quantize both moments again; tensors under min_8bit_size = 4096 elements keep
    fp32 moments (not exercised here).
Run with Debian's python3-torch:  /usr/bin/python3 model-core/src/test/python/make_adamw8bit_golden.py
Writes model-core/src/test/resources/golden/adamw8bit/adamw8bit.json; CI only reads the JSON. Float arrays are
little-endian float32 and byte arrays raw bytes, both base64.
"""
import base64
import json
import math
import os

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "golden", "adamw8bit")
BLOCK = 256


def linspace32(start, end, steps):
    """PyTorch's CPU float32 linspace: start + step*i in the first half, end - step*(steps-1-i) after."""
    start, end = torch.tensor(start, dtype=torch.float32), torch.tensor(end, dtype=torch.float32)
    step = (end - start) / (steps - 1)
    return torch.stack([start + step * i if i < steps // 2 else end - step * (steps - i - 1) for i in range(steps)])


def dynamic_map(signed):
    data = []
    for i in range(7):
        items = 2 ** i + 1 if signed else 2 ** (i + 1) + 1
        b = linspace32(0.1, 1, items)
        means = (b[:-1] + b[1:]) / 2.0
        data += ((10 ** (-6 + i)) * means).tolist()
        if signed:
            data += (-(10 ** (-6 + i)) * means).tolist()
    data += [0.0, 1.0]
    assert len(data) == 256
    return torch.tensor(sorted(data), dtype=torch.float32)


def quantize(x, code):
    n = x.numel()
    full = n - n % BLOCK
    blocks = x[:full].reshape(-1, BLOCK)
    absmax = blocks.abs().max(dim=-1)[0]
    scaled = torch.clamp(blocks * (1.0 / absmax.clamp(min=1e-38).view(-1, 1)), -1, 1).reshape(-1)
    if n % BLOCK:
        am = x[full:].abs().max().clamp(min=1e-38)
        absmax = torch.cat([absmax, am.unsqueeze(0)])
        scaled = torch.cat([scaled, torch.clamp(x[full:] / am, -1, 1)])
    bounds = (code[:-1] + code[1:]) / 2
    return torch.bucketize(scaled, bounds).to(torch.uint8), absmax


def dequantize(q, absmax, code):
    out = code[q.to(torch.int64)]
    n = out.numel()
    idx = torch.arange(n) // BLOCK
    return out * absmax[idx]


def f32(t):
    return base64.b64encode(t.to(torch.float32).contiguous().numpy().astype("<f4").tobytes()).decode()


def u8(t):
    return base64.b64encode(t.to(torch.uint8).contiguous().numpy().tobytes()).decode()


def quantize_case(name, x, signed):
    code = dynamic_map(signed)
    q, absmax = quantize(x, code)
    return {"name": name, "signed": signed, "input": f32(x), "codes": u8(q), "absmax": f32(absmax),
            "dequantized": f32(dequantize(q, absmax, code))}


def adam_case(gen):
    n = 16 * BLOCK + 100  # sixteen full blocks and a short one: over min_8bit_size (4096), so 8-bit
    lr, b1, b2, eps, wd = 1e-3, 0.9, 0.999, 1e-8, 0.01
    signed, unsigned = dynamic_map(True), dynamic_map(False)
    p = torch.randn(n, generator=gen) * 0.1
    init = p.clone()
    s1 = torch.zeros(n, dtype=torch.uint8)  # bitsandbytes starts from zero codes and zero absmax: zero moments
    s2 = torch.zeros(n, dtype=torch.uint8)
    a1 = torch.zeros((n + BLOCK - 1) // BLOCK)
    a2 = torch.zeros((n + BLOCK - 1) // BLOCK)
    grads, params = [], []
    for step in range(1, 6):
        g = torch.randn(n, generator=gen) * 0.05
        g[BLOCK:2 * BLOCK] *= 1e-4  # a block of tiny gradients: its moments use the small codes
        grads.append(f32(g))
        m = dequantize(s1, a1, signed)
        v = dequantize(s2, a2, unsigned)
        m.mul_(b1).add_(g, alpha=1.0 - b1)
        v.mul_(b2).addcmul_(g, g, value=1.0 - b2)
        c1 = 1.0 - b1 ** step
        c2 = math.sqrt(1.0 - b2 ** step)
        denom = (v.sqrt() / c2).add_(eps)
        p.mul_(1.0 - lr * wd)
        p.addcdiv_(m, denom, value=-lr / c1)
        s1, a1 = quantize(m, signed)
        s2, a2 = quantize(v, unsigned)
        params.append(f32(p))
    return {"n": n, "lr": lr, "beta1": b1, "beta2": b2, "eps": eps, "weight_decay": wd, "init": f32(init),
            "grads": grads, "params": params, "state1": u8(s1), "absmax1": f32(a1), "state2": u8(s2),
            "absmax2": f32(a2)}


def main():
    gen = torch.Generator().manual_seed(8)
    m = torch.randn(3 * BLOCK + 77, generator=gen) * 1e-3
    m[BLOCK:2 * BLOCK] = 0.0  # an all-zero block: absmax 0, every value the code of 0
    m[5] = m[:BLOCK].abs().max() * -1.0  # a block maximum with a minus sign
    v = (torch.randn(2 * BLOCK + 3, generator=gen) * 1e-2) ** 2
    cases = [quantize_case("first_moment_like", m, True), quantize_case("second_moment_like", v, False)]
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "adamw8bit.json"), "w") as f:
        json.dump({"signed_code": f32(dynamic_map(True)), "unsigned_code": f32(dynamic_map(False)),
                   "quantize": cases, "adam": adam_case(gen)}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()

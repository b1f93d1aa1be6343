#!/usr/bin/python3
"""Golden values for the Java Llama/LoRA/ORPO implementation, in the spirit of llm.c's test_gpt2.c.

An independent float64 PyTorch implementation of Hugging Face's Llama (rotate_half RoPE, llama3 rope scaling, grouped-
query attention, tied/untied LM head, Qwen2 q/k/v bias), PEFT LoRA and TRL's ORPO loss. It needs only torch (Debian's
python3-torch 1.13; no transformers, no safetensors package) and writes, for a few tiny seeded models:

  <name>/config.json                      HF config
  <name>/model.safetensors                F32 or BF16, or model-0000{1,2}-of-00002.safetensors + index (sharded)
  <name>/adapter_config.json              PEFT LoRA config
  <name>/adapter_model.safetensors        LoRA A/B (B non-zero, so gradients of A are non-trivial), PEFT key names
  <name>/golden.json                      inputs and expected logits, log-probs, ORPO metrics, loss, LoRA gradients

Run:  /usr/bin/python3 model-core/src/test/python/make_llama_golden.py model-core/src/test/resources/golden
"""
import json
import math
import os
import struct
import sys

import torch

torch.set_default_dtype(torch.float64)
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
MODULE_PATH = {"q_proj": "self_attn", "k_proj": "self_attn", "v_proj": "self_attn", "o_proj": "self_attn",
               "gate_proj": "mlp", "up_proj": "mlp", "down_proj": "mlp"}


# ---------------------------------------------------------------- safetensors, by hand
def write_safetensors(path, tensors, dtype):
    """tensors: dict name -> float64 tensor (already representable in dtype). dtype: 'F32' or 'BF16'."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        if dtype == "F32":
            data = t.to(torch.float32).contiguous().numpy().tobytes()
        else:
            data = t.to(torch.float32).to(torch.bfloat16).contiguous().view(torch.int16).numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def representable(t, dtype):
    """Round to what the file stores, back in float64: the reference computes on exactly the stored weights."""
    if dtype == "BF16":
        return t.to(torch.float32).to(torch.bfloat16).to(torch.float64)
    return t.to(torch.float32).to(torch.float64)


# ---------------------------------------------------------------- the model, float64
def inv_freq(cfg):
    d = cfg["head_dim"]
    inv = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, d, 2, dtype=torch.float64) / d))
    s = cfg.get("rope_scaling")
    if not s:
        return inv
    old = s["original_max_position_embeddings"]
    low_wl, high_wl = old / s["low_freq_factor"], old / s["high_freq_factor"]
    out = []
    for f in inv.tolist():
        wl = 2 * math.pi / f
        if wl < high_wl:
            out.append(f)
        elif wl > low_wl:
            out.append(f / s["factor"])
        else:
            smooth = (old / wl - s["low_freq_factor"]) / (s["high_freq_factor"] - s["low_freq_factor"])
            out.append((1 - smooth) * f / s["factor"] + smooth * f)
    return torch.tensor(out)


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


def rms_norm(x, w, eps):
    return w * (x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps))


def linear(x, w, name, p, lora):
    y = x @ w[name + ".weight"].T
    if name + ".bias" in w:
        y = y + w[name + ".bias"]
    if lora is not None and name in lora["A"]:
        y = y + lora["scaling"] * ((x @ lora["A"][name].T) @ lora["B"][name].T)
    return y


def forward(cfg, w, ids, mask, pos, lora=None):
    """ids, mask, pos: (B, T) long. Returns logits (B, T, V)."""
    B, T = ids.shape
    H, KV, D = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]
    eps = cfg["rms_norm_eps"]
    x = w["model.embed_tokens.weight"][ids]
    freqs = pos.to(torch.float64)[..., None] * inv_freq(cfg)[None, None, :]
    emb = torch.cat([freqs, freqs], dim=-1)[:, None]  # (B, 1, T, D)
    cos, sin = emb.cos(), emb.sin()
    allowed = torch.tril(torch.ones(T, T, dtype=torch.bool))[None, None] & (mask[:, None, None, :] == 1)
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = linear(h, w, p + "self_attn.q_proj", p, lora).view(B, T, H, D).transpose(1, 2)
        k = linear(h, w, p + "self_attn.k_proj", p, lora).view(B, T, KV, D).transpose(1, 2)
        v = linear(h, w, p + "self_attn.v_proj", p, lora).view(B, T, KV, D).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(H // KV, dim=1)
        v = v.repeat_interleave(H // KV, dim=1)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(D)
        att = att.masked_fill(~allowed, float("-inf")).softmax(-1)
        o = (att @ v).transpose(1, 2).reshape(B, T, H * D)
        x = x + linear(o, w, p + "self_attn.o_proj", p, lora)
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        g = linear(h, w, p + "mlp.gate_proj", p, lora)
        u = linear(h, w, p + "mlp.up_proj", p, lora)
        x = x + linear(torch.nn.functional.silu(g) * u, w, p + "mlp.down_proj", p, lora)
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else w["lm_head.weight"]
    return x @ head.T


def next_token_logps(logits, ids):
    return logits[:, :-1].log_softmax(-1).gather(-1, ids[:, 1:, None]).squeeze(-1)


# ---------------------------------------------------------------- TRL ORPO, float64
def log1mexp(x):
    return torch.where(x < -math.log(2), torch.log1p(-torch.exp(x)), torch.log(-torch.expm1(x)))


def orpo(cfg, w, lora, pairs, beta, pad_id):
    """TRL's concatenated forward: chosen rows then rejected rows, right-padded to one length."""
    seqs = [p["prompt"] + p["chosen"] for p in pairs] + [p["prompt"] + p["rejected"] for p in pairs]
    prompt_lens = [len(p["prompt"]) for p in pairs] * 2
    T = max(len(s) for s in seqs)
    ids = torch.tensor([s + [pad_id] * (T - len(s)) for s in seqs])
    mask = torch.tensor([[1] * len(s) + [0] * (T - len(s)) for s in seqs])
    labels = torch.tensor([[-100] * pl + s[pl:] + [-100] * (T - len(s)) for s, pl in zip(seqs, prompt_lens)])
    pos = torch.arange(T)[None].repeat(len(seqs), 1)
    logits = forward(cfg, w, ids, mask, pos, lora)
    n = len(pairs)
    # NLL over the whole chosen sequence, prompt included (token mean)
    nll_labels = torch.where(mask == 1, ids, torch.full_like(ids, -100))[:n, 1:]
    nll = torch.nn.functional.cross_entropy(logits[:n, :-1].reshape(-1, logits.shape[-1]), nll_labels.reshape(-1),
                                            ignore_index=-100)
    # average completion log-probs
    lab = labels[:, 1:]
    lmask = lab != -100
    tok = logits[:, :-1].log_softmax(-1).gather(-1, torch.where(lmask, lab, 0)[..., None]).squeeze(-1)
    logps = (tok * lmask).sum(-1) / lmask.sum(-1)
    lc, lr = logps[:n], logps[n:]
    log_odds = (lc - lr) - (log1mexp(lc) - log1mexp(lr))
    ratio = torch.nn.functional.logsigmoid(log_odds)
    loss = nll - (beta * ratio).mean()
    rc, rr = beta * lc.detach(), beta * lr.detach()
    metrics = {
        "rewards/chosen": rc.mean(), "rewards/rejected": rr.mean(),
        "rewards/accuracies": (rc > rr).double().mean(), "rewards/margins": (rc - rr).mean(),
        "logps/chosen": lc.mean(), "logps/rejected": lr.mean(),
        "logits/chosen": logits[:n, :-1].mean(), "logits/rejected": logits[n:, :-1].mean(),
        "nll_loss": nll, "log_odds_ratio": ratio.mean(), "log_odds_chosen": log_odds.mean(),
    }
    batch = {"input_ids": ids.tolist(), "attention_mask": mask.tolist(), "labels": labels.tolist()}
    return loss, {k: float(v) for k, v in metrics.items()}, batch, logps.tolist()


# ---------------------------------------------------------------- fixtures
def flat(t):
    return [float("%.9g" % v) for v in t.reshape(-1).tolist()]


def make(out_dir, name, cfg, dtype, shards, lora_cfg, seed):
    g = torch.Generator().manual_seed(seed)
    C, I, V = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    H, KV, D = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]
    bias = cfg["architectures"][0] == "Qwen2ForCausalLM"

    def rnd(*shape, scale=0.2, mean=0.0):
        return representable(mean + scale * torch.randn(*shape, generator=g), dtype)

    w = {"model.embed_tokens.weight": rnd(V, C, scale=1.0)}
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        w[p + "input_layernorm.weight"] = rnd(C, scale=0.1, mean=1.0)
        w[p + "self_attn.q_proj.weight"] = rnd(H * D, C)
        w[p + "self_attn.k_proj.weight"] = rnd(KV * D, C)
        w[p + "self_attn.v_proj.weight"] = rnd(KV * D, C)
        if bias:
            w[p + "self_attn.q_proj.bias"] = rnd(H * D, scale=0.1)
            w[p + "self_attn.k_proj.bias"] = rnd(KV * D, scale=0.1)
            w[p + "self_attn.v_proj.bias"] = rnd(KV * D, scale=0.1)
        w[p + "self_attn.o_proj.weight"] = rnd(C, H * D)
        w[p + "post_attention_layernorm.weight"] = rnd(C, scale=0.1, mean=1.0)
        w[p + "mlp.gate_proj.weight"] = rnd(I, C)
        w[p + "mlp.up_proj.weight"] = rnd(I, C)
        w[p + "mlp.down_proj.weight"] = rnd(C, I)
    w["model.norm.weight"] = rnd(C, scale=0.1, mean=1.0)
    if not cfg["tie_word_embeddings"]:
        w["lm_head.weight"] = rnd(V, C, scale=0.5)

    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    names = list(w)
    if shards == 1:
        write_safetensors(os.path.join(d, "model.safetensors"), w, dtype)
    else:
        half = len(names) // 2
        parts = [names[:half], names[half:]]
        weight_map = {}
        for s, part in enumerate(parts):
            fname = f"model-{s + 1:05d}-of-{len(parts):05d}.safetensors"
            write_safetensors(os.path.join(d, fname), {n: w[n] for n in part}, dtype)
            weight_map.update({n: fname for n in part})
        with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {"total_size": 0}, "weight_map": weight_map}, f, indent=2)

    # LoRA: A and B both random (B non-zero) so every gradient is non-trivial
    r = lora_cfg["r"]
    scaling = lora_cfg["lora_alpha"] / (math.sqrt(r) if lora_cfg["use_rslora"] else r)
    lora = {"A": {}, "B": {}, "scaling": scaling}
    peft = {}
    for i in range(cfg["num_hidden_layers"]):
        for t in lora_cfg["target_modules"]:
            mod = f"model.layers.{i}.{MODULE_PATH[t]}.{t}"
            wt = w[mod + ".weight"]
            a = representable(0.3 * torch.randn(r, wt.shape[1], generator=g), "F32").requires_grad_()
            b = representable(0.3 * torch.randn(wt.shape[0], r, generator=g), "F32").requires_grad_()
            lora["A"][mod], lora["B"][mod] = a, b
            peft["base_model.model." + mod + ".lora_A.weight"] = a
            peft["base_model.model." + mod + ".lora_B.weight"] = b
    write_safetensors(os.path.join(d, "adapter_model.safetensors"), {k: v.detach() for k, v in peft.items()}, "F32")
    with open(os.path.join(d, "adapter_config.json"), "w") as f:
        json.dump({"peft_type": "LORA", "task_type": "CAUSAL_LM", "r": r, "lora_alpha": lora_cfg["lora_alpha"],
                   "lora_dropout": 0.0, "use_rslora": lora_cfg["use_rslora"], "bias": "none",
                   "target_modules": lora_cfg["target_modules"]}, f, indent=2)

    # a right-padded batch of three sequences of different lengths
    pad = cfg["pad_token_id"]
    seqs = [[1, 5, 9, 13, 17, 21, 25, 29, 33], [1, 40, 41, 3, 7], [1, 60, 2, 11, 12, 50, 6]]
    T = max(len(s) for s in seqs)
    ids = torch.tensor([s + [pad] * (T - len(s)) for s in seqs])
    mask = torch.tensor([[1] * len(s) + [0] * (T - len(s)) for s in seqs])
    pos = torch.arange(T)[None].repeat(len(seqs), 1)
    with torch.no_grad():
        logits = forward(cfg, w, ids, mask, pos)
        logps = next_token_logps(logits, ids)
        lora_logits = forward(cfg, w, ids, mask, pos, {**lora, "A": {k: v.detach() for k, v in lora["A"].items()},
                                                       "B": {k: v.detach() for k, v in lora["B"].items()}})

    # a simple loss: mean negative log-likelihood of the real next tokens (LoRA applied)
    ll = next_token_logps(forward(cfg, w, ids, mask, pos, lora), ids)
    real = mask[:, 1:].to(torch.float64)
    simple = -(ll * real).sum() / real.sum()
    simple_grads = torch.autograd.grad(simple, list(peft.values()))

    pairs = [{"prompt": [1, 4, 8], "chosen": [15, 16, 2], "rejected": [23, 2]},
             {"prompt": [1, 30, 31, 32], "chosen": [44, 2], "rejected": [45, 46, 47, 2]},
             {"prompt": [1, 9], "chosen": [10, 11, 12, 13, 2], "rejected": [14, 2]}]
    beta = 0.1
    loss, metrics, orpo_batch, orpo_logps = orpo(cfg, w, lora, pairs, beta, pad)
    orpo_grads = torch.autograd.grad(loss, list(peft.values()))

    golden = {
        "model": name, "stored_dtype": dtype, "shards": shards,
        "input_ids": ids.tolist(), "attention_mask": mask.tolist(), "position_ids": pos.tolist(),
        "logits": flat(logits), "next_token_logps": flat(logps), "lora_logits": flat(lora_logits),
        "lora": {"r": r, "alpha": lora_cfg["lora_alpha"], "use_rslora": lora_cfg["use_rslora"],
                 "targets": lora_cfg["target_modules"], "scaling": scaling},
        "simple_loss": float(simple),
        "simple_loss_grads": {k: flat(gr) for k, gr in zip(peft, simple_grads)},
        "orpo": {"beta": beta, "pad_token_id": pad, "pairs": pairs, "batch": orpo_batch, "logps": orpo_logps,
                 "loss": float(loss), "metrics": metrics,
                 "grads": {k: flat(gr) for k, gr in zip(peft, orpo_grads)}},
    }
    with open(os.path.join(d, "golden.json"), "w") as f:
        json.dump(golden, f, separators=(",", ":"))


def config(arch, V=64, C=32, I=48, L=2, H=4, KV=2, tie=False, theta=10000.0, scaling=None, dtype="float32"):
    cfg = {"architectures": [arch], "model_type": "qwen2" if arch.startswith("Qwen2") else "llama",
           "vocab_size": V, "hidden_size": C, "intermediate_size": I, "num_hidden_layers": L,
           "num_attention_heads": H, "num_key_value_heads": KV, "head_dim": C // H, "rms_norm_eps": 1e-5,
           "rope_theta": theta, "max_position_embeddings": 128, "tie_word_embeddings": tie,
           "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 0, "torch_dtype": dtype,
           "hidden_act": "silu"}
    if arch.startswith("Llama"):
        cfg["attention_bias"] = False
    if scaling:
        cfg["rope_scaling"] = scaling
    return cfg


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "model-core/src/test/resources/golden"
    all_targets = {"r": 4, "lora_alpha": 8, "use_rslora": False, "target_modules": TARGETS}
    llama3 = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
              "original_max_position_embeddings": 16}
    # GQA (2 query heads per kv head), llama3 rope scaling (small original context so all three regimes occur), untied
    make(out, "llama3-gqa-f32", config("LlamaForCausalLM", theta=500000.0, scaling=llama3), "F32", 1, all_targets, 1)
    # tied embeddings, plain multi-head attention, stored as BF16
    make(out, "llama-tied-bf16", config("LlamaForCausalLM", KV=4, tie=True, dtype="bfloat16"), "BF16", 1,
         {"r": 2, "lora_alpha": 4, "use_rslora": False, "target_modules": ["q_proj", "v_proj", "down_proj"]}, 2)
    # Qwen2: q/k/v bias, 4 query heads per kv head, two shards, rsLoRA scaling
    make(out, "qwen2-bias-sharded", config("Qwen2ForCausalLM", KV=1, theta=1000000.0), "F32", 2,
         {"r": 4, "lora_alpha": 8, "use_rslora": True, "target_modules": TARGETS}, 3)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Golden values for the Java ORPO loss and AdamW tests, computed in float64 with PyTorch.

Reimplements the numerics of TRL's ORPOTrainer (trl/experimental/orpo: concatenated_inputs, concatenated_forward,
get_batch_logps, odds_ratio_loss, get_batch_loss_metrics) and torch.optim.AdamW + clip_grad_norm_, from fixed seeds.
Run with Debian's python3-torch:  /usr/bin/python3 model-core/src/test/python/make_orpo_golden.py
Writes model-core/src/test/resources/golden/orpo/{orpo_loss.json,adamw.json}; CI only reads the JSON.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "golden", "orpo")
IGNORE = -100
PAD = 0
VOCAB = 11

# (chosen ids, chosen prompt length, rejected ids, rejected prompt length); pair 2 has prompts differing by one token
PAIRS = [
    ([1, 4, 5, 6, 2], 2, [1, 4, 7, 2], 2),
    ([1, 8, 9, 3, 3, 10, 2], 3, [1, 8, 9, 5, 2], 3),
    ([1, 6, 7, 2], 3, [1, 6, 4, 9, 9, 2], 2),
]


def collate(pairs, prompt_loss):
    """TRL layout: chosen rows then rejected rows, right-padded to the longest sequence."""
    t = max(max(len(c), len(r)) for c, _, r, _ in pairs)
    rows = [(c, pc) for c, pc, _, _ in pairs] + [(r, pr) for _, _, r, pr in pairs]
    ids = torch.full((len(rows), t), PAD, dtype=torch.long)
    mask = torch.zeros((len(rows), t), dtype=torch.long)
    labels = torch.full((len(rows), t), IGNORE, dtype=torch.long)
    for i, (seq, p) in enumerate(rows):
        ids[i, :len(seq)] = torch.tensor(seq)
        mask[i, :len(seq)] = 1
        labels[i, p:len(seq)] = torch.tensor(seq[p:])
    b = len(pairs)
    # TRL: nll labels = input ids where attended (prompt included); completion-only = the preference labels
    nll_labels = torch.where(mask[:b] == 1, ids[:b], IGNORE) if prompt_loss else labels[:b].clone()
    return ids, mask, labels, nll_labels


def batch_logps(logits, labels):
    """get_batch_logps with average_log_prob=True: logits[:, :-1] predict labels[:, 1:]."""
    labels = labels[:, 1:].clone()
    logits = logits[:, :-1, :]
    loss_mask = labels != IGNORE
    labels = torch.where(labels == IGNORE, 0, labels)
    per_token = torch.gather(logits.log_softmax(-1), 2, labels.unsqueeze(2)).squeeze(2)
    return (per_token * loss_mask).sum(-1) / loss_mask.sum(-1)


def log1mexp(x):
    return torch.where(x < -math.log(2), torch.log1p(-torch.exp(x)), torch.log(-torch.expm1(x)))


def orpo(logits, ids, mask, labels, nll_labels, beta):
    b = nll_labels.shape[0]
    v = logits.shape[-1]
    # SFT term: cross entropy, mean over all unmasked chosen tokens
    nll = F.cross_entropy(logits[:b, :-1, :].reshape(-1, v), nll_labels[:, 1:].reshape(-1), ignore_index=IGNORE)
    all_logps = batch_logps(logits, labels)
    lc, lr = all_logps[:b], all_logps[b:]
    log_odds = (lc - lr) - (log1mexp(lc) - log1mexp(lr))
    ratio = F.logsigmoid(log_odds)
    losses = beta * ratio
    chosen_rewards, rejected_rewards = beta * lc.detach(), beta * lr.detach()
    loss = nll - losses.mean()
    # per-row SFT pieces, to check the scorer's token-weighted aggregation
    tok = F.cross_entropy(logits[:b, :-1, :].reshape(-1, v), nll_labels[:, 1:].reshape(-1), ignore_index=IGNORE,
                          reduction="none").reshape(b, -1)
    nll_tokens = (nll_labels[:, 1:] != IGNORE).sum(-1)
    metrics = {
        "rewards/chosen": chosen_rewards.mean(),
        "rewards/rejected": rejected_rewards.mean(),
        "rewards/accuracies": (chosen_rewards > rejected_rewards).double().mean(),
        "rewards/margins": (chosen_rewards - rejected_rewards).mean(),
        "logps/rejected": lr.detach().mean(),
        "logps/chosen": lc.detach().mean(),
        "logits/rejected": logits[b:, :-1, :].detach().mean(),
        "logits/chosen": logits[:b, :-1, :].detach().mean(),
        "nll_loss": nll.detach(),
        "log_odds_ratio": ratio.mean().detach(),
        "log_odds_chosen": log_odds.mean().detach(),
    }
    rows = {
        "chosen_logps": lc.tolist(), "rejected_logps": lr.tolist(), "log_odds": log_odds.tolist(),
        "nll": (tok.sum(-1) / nll_tokens).tolist(), "nll_tokens": nll_tokens.tolist(),
    }
    return loss, {k: float(x) for k, x in metrics.items()}, rows


def case(name, logits, prompt_loss, beta):
    ids, mask, labels, nll_labels = collate(PAIRS, prompt_loss)
    logits = logits.clone().requires_grad_(True)
    loss, metrics, rows = orpo(logits, ids, mask, labels, nll_labels, beta)
    loss.backward()
    return {"name": name, "prompt_loss": prompt_loss, "beta": beta, "shape": list(logits.shape),
            "logits": logits.detach().flatten().tolist(), "input_ids": ids.flatten().tolist(),
            "labels": labels.flatten().tolist(), "nll_labels": nll_labels.flatten().tolist(),
            "loss": float(loss), "metrics": metrics, "rows": rows, "grad": logits.grad.flatten().tolist()}


def extreme_logits(shape, labels_all):
    """Chosen labels get near-certain probability (lc -> 0-), rejected labels near-impossible (very negative)."""
    g = torch.Generator().manual_seed(7)
    logits = torch.randn(shape, generator=g, dtype=torch.float64)
    b = shape[0] // 2
    for row in range(shape[0]):
        for t in range(shape[1] - 1):
            target = int(labels_all[row, t + 1])
            if target != IGNORE:
                logits[row, t, target] = 25.0 if row < b else -60.0
    return logits


def adamw_case():
    g = torch.Generator().manual_seed(3)
    params = [torch.randn(3, 4, generator=g, dtype=torch.float64), torch.randn(5, generator=g, dtype=torch.float64)]
    init = [p.clone() for p in params]
    params = [p.clone().requires_grad_(True) for p in params]
    lr, betas, eps, wd, max_norm = 1e-2, (0.9, 0.999), 1e-8, 0.1, 1.0
    opt = torch.optim.AdamW(params, lr=lr, betas=betas, eps=eps, weight_decay=wd)
    steps = []
    for _ in range(3):
        grads = [torch.randn(p.shape, generator=g, dtype=torch.float64) for p in params]
        for p, gr in zip(params, grads):
            p.grad = gr.clone()
        norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
        opt.step()
        steps.append({"grads": [gr.flatten().tolist() for gr in grads], "grad_norm": float(norm),
                      "params": [p.detach().flatten().tolist() for p in params]})
    return {"lr": lr, "beta1": betas[0], "beta2": betas[1], "eps": eps, "weight_decay": wd, "max_grad_norm": max_norm,
            "shapes": [list(p.shape) for p in params], "init": [p.flatten().tolist() for p in init], "steps": steps}


def main():
    os.makedirs(OUT, exist_ok=True)
    ids, _, labels, _ = collate(PAIRS, True)
    shape = (ids.shape[0], ids.shape[1], VOCAB)
    g = torch.Generator().manual_seed(0)
    logits = 3.0 * torch.randn(shape, generator=g, dtype=torch.float64)
    cases = [
        case("default", logits, True, 0.1),
        case("completion_only", logits, False, 0.1),
        case("beta_0.5", logits, True, 0.5),
        case("extreme", extreme_logits(shape, labels), True, 0.1),
    ]
    with open(os.path.join(OUT, "orpo_loss.json"), "w") as f:
        json.dump({"pad_id": PAD, "vocab": VOCAB,
                   "pairs": [{"chosen": c, "chosen_prompt": pc, "rejected": r, "rejected_prompt": pr}
                             for c, pc, r, pr in PAIRS],
                   "cases": cases}, f)
    with open(os.path.join(OUT, "adamw.json"), "w") as f:
        json.dump(adamw_case(), f)


if __name__ == "__main__":
    main()

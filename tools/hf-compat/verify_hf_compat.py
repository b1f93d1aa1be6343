"""Loads what the Java pipeline wrote with Hugging Face transformers + PEFT, unchanged, and compares numbers.

Usage: python3 verify_hf_compat.py DIR
DIR holds:
  base/               HF model directory written by the Java side (config.json + safetensors)
  adapter/            PEFT adapter written by the Java trainer (adapter_config.json + adapter_model.safetensors)
  merged/             HF model directory written by `orpo merge`
  pairs.jsonl         {"prompt_ids", "chosen_ids", "rejected_ids"} rows
  java_scores.jsonl   `orpo score --model base --adapter adapter --data pairs.jsonl` output
Prints one JSON report and exits 1 when any check fails. Needs torch, transformers and peft (not on CI machines:
run it where they exist, e.g. the GPU machine).
"""
import json
import sys

import torch
from peft import PeftModel
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM


def load(path):
    try:
        return AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    except TypeError:
        return AutoModelForCausalLM.from_pretrained(path, torch_dtype=torch.float32)


def avg_completion_logps(model, prompt, completion):
    ids = torch.tensor([prompt + completion])
    with torch.no_grad():
        logits = model(input_ids=ids).logits.float()
    logp = torch.log_softmax(logits[0, :-1], -1).gather(-1, ids[0, 1:, None])[:, 0]
    return logp[len(prompt) - 1:].mean().item()


def main(root):
    pairs = [json.loads(line) for line in open(f"{root}/pairs.jsonl") if line.strip()]
    java = [json.loads(line) for line in open(f"{root}/java_scores.jsonl") if line.strip()]
    java_rows = [r for r in java if "summary" not in r]
    report = {"checks": [], "ok": True}

    def check(name, got, want, tol):
        ok = abs(got - want) <= tol
        report["checks"].append({"name": name, "python": got, "java": want, "ok": ok})
        report["ok"] &= ok

    base = load(f"{root}/base")
    saved = load_file(f"{root}/adapter/adapter_model.safetensors")
    embed = saved.get("base_model.model.model.embed_tokens.weight")
    if embed is not None and embed.shape[0] != base.get_input_embeddings().weight.shape[0]:
        # tokens were added (ChatML setup): resize the base first, as a TRL user does after setup_chat_format
        base.resize_token_embeddings(embed.shape[0])
        report["resized_base_to"] = embed.shape[0]
    peft_model = PeftModel.from_pretrained(base, f"{root}/adapter").eval()
    report["peft_loaded"] = True
    merged = load(f"{root}/merged").eval()
    report["merged_loaded"] = True
    merged_dtype = json.load(open(f"{root}/merged/config.json")).get("torch_dtype", "float32")
    merged_tol = 1e-4 if merged_dtype == "float32" else 5e-2
    for i, (p, j) in enumerate(zip(pairs, java_rows)):
        for side in ("chosen", "rejected"):
            got = avg_completion_logps(peft_model, p["prompt_ids"], p[f"{side}_ids"])
            check(f"peft row {i} {side}_logps", got, j[f"{side}_logps"], 1e-4)
            got_merged = avg_completion_logps(merged, p["prompt_ids"], p[f"{side}_ids"])
            check(f"merged({merged_dtype}) row {i} {side}_logps", got_merged, j[f"{side}_logps"], merged_tol)
    # PEFT's own merge_and_unload against the Java merge, tensor by tensor
    reference = peft_model.merge_and_unload().state_dict()
    ours = {}
    import glob
    for f in sorted(glob.glob(f"{root}/merged/*.safetensors")):
        ours.update(load_file(f))
    worst = 0.0
    for name, tensor in ours.items():
        if name in reference:
            worst = max(worst, (tensor.float() - reference[name].float()).abs().max().item())
    report["merge_max_abs_diff_vs_peft_merge_and_unload"] = worst
    report["merge_tensors_compared"] = sum(1 for n in ours if n in reference)
    check("merge max abs diff vs PEFT merge_and_unload", worst, 0.0, 1e-5 if merged_dtype == "float32" else 1e-2)
    print(json.dumps(report, indent=1))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

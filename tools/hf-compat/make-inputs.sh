#!/usr/bin/env bash
# Makes the inputs of verify_hf_compat.py with the Java side only: base model, trained adapter (orpo train), merged
# model (orpo merge), scores (orpo score); plus a resized-embeddings (modules_to_save) case.
# Usage: tools/hf-compat/make-inputs.sh OUT_DIR
set -euo pipefail
out=$(realpath -m "$1"); root=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$out"; mkdir -p "$out/lora" "$out/resized"
"$root/orpo" --help >/dev/null   # builds the CLI when needed
jshell -R-Dai.djl.offline=true -R-Dout="$out" --class-path "$root/cli/target/orpo.jar:$(ls "$root"/cli/target/lib/*.jar | tr '\n' ':')" \
  "$root/tools/hf-compat/make-inputs.jsh"
cd "$out"
"$root/orpo" train --model base --data train.jsonl --out lora/train --set max_steps=12 --set r=4 --set lora_alpha=8 \
  --set learning_rate=5e-3 --set per_device_train_batch_size=4 --set gradient_accumulation_steps=1 > lora/train.log
for case in lora resized; do
  adapter=$case/adapter; [ "$case" = lora ] && adapter=lora/train/adapter
  cp -r base $case/base; cp pairs.jsonl $case/
  [ "$case" = lora ] && cp -r lora/train/adapter lora/adapter
  "$root/orpo" merge --model base --adapter "$adapter" --out $case/merged --dtype float32
  "$root/orpo" score --model base --adapter "$adapter" --data pairs.jsonl > $case/java_scores.jsonl
done
echo "inputs in $out/lora and $out/resized"

package dev.orpo.cli;

import dev.orpo.model.io.DType;
import dev.orpo.model.io.ShardedCheckpointWriter;
import dev.orpo.model.merge.AdapterMerger;
import dev.orpo.model.merge.MergeOptions;
import dev.orpo.model.merge.MergeResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code orpo merge}: merges a PEFT LoRA adapter into a Hugging Face model directory and writes a standalone model
 * (safetensors shards + index, config.json, tokenizer files), streaming tensor by tensor.
 */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Merge a PEFT LoRA adapter into a base model: W' = W + alpha/r * B @ A, written as a new"
                + " Hugging Face model directory.")
public class MergeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "base HF model directory (config.json + safetensors)")
    Path model;

    @Option(names = "--adapter", required = true,
            description = "PEFT adapter directory (adapter_config.json + adapter_model.safetensors)")
    Path adapter;

    @Option(names = "--out", required = true, description = "output directory (must not exist or be empty)")
    Path out;

    @Option(names = "--dtype", description = "float16|bfloat16|float32; default: the base checkpoint's dtype")
    String dtype;

    @Option(names = "--max-shard-size", defaultValue = "5GB",
            description = "largest output shard, as transformers' max_shard_size (5GB, 500MB, 2GiB); default"
                    + " ${DEFAULT-VALUE}")
    String maxShardSize;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        MergeResult r;
        try {
            MergeOptions options = new MergeOptions(dtype == null ? null : DType.fromTorchName(dtype),
                    ShardedCheckpointWriter.parseSize(maxShardSize));
            r = AdapterMerger.merge(model, adapter, out, options);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            err.println("orpo merge: " + e.getMessage());
            err.flush();
            return ExitCodes.BAD_INPUT;
        }
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "merged %s into %s -> %s%n", adapter, model, r.outDir());
        o.printf(Locale.ROOT, "%d tensors (%d LoRA-merged, %d replaced by modules_to_save), %s, vocab %d,"
                        + " %.1f MB in %d file(s)%n", r.tensors(), r.loraModules(), r.replacedModules(),
                r.dtype().torchName(), r.vocabSize(), r.tensorBytes() / 1e6, r.files().size());
        o.flush();
        return ExitCodes.OK;
    }
}

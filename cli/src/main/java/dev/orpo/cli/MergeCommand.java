package dev.orpo.cli;

import dev.orpo.model.io.DType;
import dev.orpo.model.io.ShardedCheckpointWriter;
import dev.orpo.model.merge.AdapterMerger;
import dev.orpo.model.merge.MergeOptions;
import dev.orpo.model.merge.MergeResult;
import dev.orpo.stages.merge.HubPush;
import dev.orpo.stages.resolve.HubAccess;
import dev.orpo.stages.merge.HubPushException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code orpo merge}: merges a PEFT LoRA adapter into a Hugging Face model directory and writes a standalone model
 * (safetensors shards + index, config.json, tokenizer files), streaming tensor by tensor; with {@code --push-to-hub},
 * then pushes that directory to a hub model repo ({@link HubPush}; token from HF_TOKEN, checked before merging).
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

    @Option(names = "--push-to-hub", paramLabel = "REPO_ID",
            description = "then push the merged directory to this hub model repo (namespace/name, or a name in your"
                    + " namespace); needs HF_TOKEN with write access")
    String pushToHub;

    @Option(names = "--hub-url", paramLabel = "URL",
            description = "hub to push to; default $HF_ENDPOINT, else https://huggingface.co")
    String hubUrl;

    @Option(names = "--private", description = "create the hub repo private (an existing repo keeps its visibility)")
    boolean privateRepo;

    private final Map<String, String> env;

    public MergeCommand() {
        this(System.getenv());
    }

    /** @param env the environment the hub settings are read from ({@link HubAccess}; tests give their own) */
    MergeCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        HubPush hub = null;
        if (pushToHub != null) { // refuse before a merge that may take minutes
            hub = HubPush.of(HubAccess.fromEnvironment(env).withBaseUrl(hubUrl));
            String problem = !HubPush.REPO_ID.matcher(pushToHub).matches()
                    ? "--push-to-hub: not a hub repo id ([namespace/]name of letters, digits, - _ .): " + pushToHub
                    : hub == null ? "--push-to-hub: hub access is disabled (ORPO_HUB_ENABLED=false)"
                    : !hub.hasToken() ? "--push-to-hub: set HF_TOKEN to a hub token with write access" : null;
            if (problem != null) {
                err.println("orpo merge: " + problem);
                err.flush();
                return ExitCodes.BAD_INPUT;
            }
        }
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
        if (hub != null) {
            try {
                HubPush.Result p = hub.push(pushToHub, out, privateRepo, "orpo merge: " + adapter.getFileName()
                        + " into " + model.getFileName());
                o.printf(Locale.ROOT, "pushed %d file(s) (%d via LFS, %d uploaded) to %s, commit %s%n",
                        p.regularFiles() + p.lfsFiles(), p.lfsFiles(), p.lfsUploaded(), p.url(), p.commitOid());
                o.flush();
            } catch (HubPushException e) {
                err.println("orpo merge: merged into " + out + ", but " + e.getMessage());
                err.flush();
                return e.status() == 401 || e.status() == 403 ? ExitCodes.BAD_INPUT : ExitCodes.UNAVAILABLE;
            } catch (java.io.IOException e) {
                err.println("orpo merge: merged into " + out + ", but the push to " + pushToHub + " failed: " + e);
                err.flush();
                return ExitCodes.UNAVAILABLE;
            }
        }
        return ExitCodes.OK;
    }
}

package dev.orpo.model.train;

import ai.djl.ndarray.NDArray;
import dev.orpo.model.io.DType;
import dev.orpo.model.io.FileTrees;
import dev.orpo.model.io.SafetensorsFile;
import dev.orpo.model.io.SafetensorsWriter;
import dev.orpo.model.io.TensorSpec;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.TrainableTensors;
import dev.orpo.model.lora.LoraConfig;
import dev.orpo.model.lora.LoraTarget;
import dev.orpo.model.lora.PeftAdapterConfig;
import dev.orpo.model.lora.PeftAdapterFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Training checkpoints, laid out like the object store's {@code runs/<runId>/checkpoints/step-<n>/}: the PEFT adapter
 * ({@code adapter_config.json} + {@code adapter_model.safetensors}), {@code trainer_state.json} and
 * {@code optimizer.safetensors} (AdamW moments {@code exp_avg.<param>} / {@code exp_avg_sq.<param>}, update count in
 * the metadata). Each is written into a temporary sibling directory which is then renamed, so a {@code step-<n>}
 * directory is always complete.
 */
public final class Checkpoints {
    public static final String OPTIMIZER_FILE = "optimizer.safetensors";
    private static final String FIRST = "exp_avg.";
    private static final String SECOND = "exp_avg_sq.";

    private Checkpoints() {
    }

    /** {@code step-<n>}. */
    public static String dirName(int step) {
        return "step-" + step;
    }

    /** The PEFT config describing {@code model}'s LoRA (and modules_to_save after an embedding resize). */
    public static PeftAdapterConfig adapterConfig(LlamaModel model, String baseModelNameOrPath) {
        LoraConfig lora = model.lora();
        if (lora == null) {
            throw new IllegalStateException("the model has no LoRA adapter: call applyLora before training");
        }
        List<String> targets = new ArrayList<>();
        for (LoraTarget t : lora.targets()) {
            targets.add(t.moduleName());
        }
        List<String> modulesToSave = new ArrayList<>();
        if (model.embedding().trainable()) {
            modulesToSave.add("embed_tokens");
            if (!model.lmHead().tied()) {
                modulesToSave.add("lm_head");
            }
        }
        return new PeftAdapterConfig(lora.r(), lora.alpha(), lora.dropout(), targets, lora.useRslora(),
                modulesToSave, baseModelNameOrPath);
    }

    /** Writes only the adapter files of {@code model} into {@code dir}. */
    public static void writeAdapter(Path dir, LlamaModel model, String baseModelNameOrPath) {
        PeftAdapterFiles.write(dir, adapterConfig(model, baseModelNameOrPath), TrainableTensors.export(model));
    }

    /** Writes {@code parent/step-<n>} atomically (temp dir + rename) and returns it; an existing one is replaced. */
    static Path write(Path parent, LlamaModel model, String baseModelNameOrPath, AdamW adam, TrainerState state) {
        Path target = parent.resolve(dirName(state.globalStep()));
        try {
            Files.createDirectories(parent);
            // not createTempDirectory (mode 700): the directory is renamed into place and shared with other readers
            Path tmp = Files.createDirectory(parent.resolve("." + dirName(state.globalStep()) + ".tmp-"
                    + java.util.UUID.randomUUID()));
            writeAdapter(tmp, model, baseModelNameOrPath);
            writeOptimizer(tmp.resolve(OPTIMIZER_FILE), adam);
            state.write(tmp);
            FileTrees.deleteRecursively(target); // an older checkpoint of the same step, if any
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
        }
        return target;
    }

    private static void writeOptimizer(Path file, AdamW adam) {
        AdamW.State s = adam.exportState();
        List<TensorSpec> specs = new ArrayList<>();
        for (Map.Entry<String, NDArray> p : adam.parameters().entrySet()) {
            long[] shape = p.getValue().getShape().getShape();
            specs.add(new TensorSpec(FIRST + p.getKey(), DType.F32, shape));
            specs.add(new TensorSpec(SECOND + p.getKey(), DType.F32, shape));
        }
        Map<String, String> meta = new LinkedHashMap<>(SafetensorsWriter.PT_METADATA);
        meta.put("step", Long.toString(s.step()));
        try (SafetensorsWriter w = SafetensorsWriter.open(file, specs, meta)) {
            for (String name : adam.parameters().keySet()) {
                w.write(FIRST + name, s.firstMoment().get(name));
                w.write(SECOND + name, s.secondMoment().get(name));
            }
        }
    }

    /** Reads {@code optimizer.safetensors} of a checkpoint directory. */
    public static AdamW.State readOptimizer(Path dir) {
        Path file = dir.resolve(OPTIMIZER_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no " + OPTIMIZER_FILE + " in checkpoint " + dir);
        }
        Map<String, float[]> first = new LinkedHashMap<>();
        Map<String, float[]> second = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            String step = f.metadata().get("step");
            if (step == null) {
                throw new IllegalArgumentException(file + ": metadata has no optimizer step");
            }
            for (String name : f.names()) {
                if (name.startsWith(SECOND)) {
                    second.put(name.substring(SECOND.length()), f.readFloats(name));
                } else if (name.startsWith(FIRST)) {
                    first.put(name.substring(FIRST.length()), f.readFloats(name));
                } else {
                    throw new IllegalArgumentException(file + ": unexpected tensor " + name);
                }
            }
            return new AdamW.State(Long.parseLong(step), first, second);
        }
    }
}

package dev.orpo.model.train;

import dev.orpo.model.io.FileTrees;
import dev.orpo.model.io.SafetensorsFile;
import dev.orpo.model.io.SafetensorsWriter;
import dev.orpo.model.io.TensorInfo;
import dev.orpo.model.io.TensorSpec;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.TrainableTensors;
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
 * {@code optimizer.safetensors} ({@link OptimizerState}: AdamW moments {@code exp_avg.<param>} /
 * {@code exp_avg_sq.<param>}, fp32 or 8-bit codes with {@code absmax1.}/{@code absmax2.} block scales; update count
 * and {@code optim} in the metadata). Each is written into a temporary sibling directory which is then renamed, so a {@code step-<n>}
 * directory is always complete.
 */
public final class Checkpoints {
    public static final String OPTIMIZER_FILE = "optimizer.safetensors";
    private static final String STEP_DIR = "step-";

    private Checkpoints() {
    }

    /** {@code step-<n>}. */
    public static String dirName(int step) {
        return STEP_DIR + step;
    }

    /** The step of a {@code step-<n>} directory name, or -1 when the name is not one. */
    public static int stepOf(String dirName) {
        return dirName.matches(STEP_DIR + "\\d+") ? Integer.parseInt(dirName.substring(STEP_DIR.length())) : -1;
    }

    /** Writes only the adapter files of {@code model} into {@code dir}. */
    public static void writeAdapter(Path dir, LlamaModel model, String baseModelNameOrPath) {
        PeftAdapterFiles.write(dir, TrainableTensors.peftConfig(model, baseModelNameOrPath),
                TrainableTensors.export(model));
    }

    /** Writes {@code parent/step-<n>} atomically (temp dir + rename) and returns it; an existing one is replaced. */
    static Path write(Path parent, LlamaModel model, String baseModelNameOrPath, Optimizer optimizer,
                      TrainerState state) {
        Path target = parent.resolve(dirName(state.globalStep()));
        try {
            Files.createDirectories(parent);
            // not createTempDirectory (mode 700): the directory is renamed into place and shared with other readers
            Path tmp = Files.createDirectory(parent.resolve("." + dirName(state.globalStep()) + ".tmp-"
                    + java.util.UUID.randomUUID()));
            writeAdapter(tmp, model, baseModelNameOrPath);
            writeOptimizer(tmp.resolve(OPTIMIZER_FILE), optimizer);
            state.write(tmp);
            FileTrees.deleteRecursively(target); // an older checkpoint of the same step, if any
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
        }
        return target;
    }

    private static void writeOptimizer(Path file, Optimizer optimizer) {
        OptimizerState s = optimizer.exportState();
        List<TensorSpec> specs = new ArrayList<>();
        s.tensors().forEach((name, t) -> specs.add(new TensorSpec(name, t.dtype(), t.shape())));
        Map<String, String> meta = new LinkedHashMap<>(SafetensorsWriter.PT_METADATA);
        meta.put("step", Long.toString(s.step()));
        meta.put("optim", s.optim());
        try (SafetensorsWriter w = SafetensorsWriter.open(file, specs, meta)) {
            s.tensors().forEach((name, t) -> w.writeRaw(name, t.data()));
        }
    }

    /**
     * Reads {@code optimizer.safetensors} of a checkpoint directory: every tensor as raw bytes, so it restores bit for
     * bit. A file without an {@code optim} entry (written before 8-bit states existed) holds fp32 AdamW moments.
     */
    public static OptimizerState readOptimizer(Path dir) {
        Path file = dir.resolve(OPTIMIZER_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no " + OPTIMIZER_FILE + " in checkpoint " + dir);
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            String step = f.metadata().get("step");
            if (step == null) {
                throw new IllegalArgumentException(file + ": metadata has no optimizer step");
            }
            Map<String, OptimizerState.Tensor> tensors = new LinkedHashMap<>();
            for (String name : f.names()) {
                TensorInfo info = f.info(name);
                tensors.put(name, new OptimizerState.Tensor(info.dtype(), info.shape(), f.readRaw(name)));
            }
            return new OptimizerState(Long.parseLong(step), f.metadata().getOrDefault("optim", AdamW.NAME), tensors);
        }
    }
}

package dev.orpo.model.lora;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.orpo.model.io.DType;
import dev.orpo.model.io.FloatTensor;
import dev.orpo.model.io.SafetensorsFile;
import dev.orpo.model.io.SafetensorsWriter;
import dev.orpo.model.io.TensorSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads and writes a PEFT adapter directory: {@code adapter_config.json} + {@code adapter_model.safetensors}. */
public final class PeftAdapterFiles {
    public static final String CONFIG_FILE = "adapter_config.json";
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private PeftAdapterFiles() {
    }

    /** Writes the adapter with fp32 weights; keys are PEFT keys ({@link PeftKeys}). */
    public static void write(Path dir, PeftAdapterConfig config, Map<String, FloatTensor> tensors) {
        write(dir, config, tensors, DType.F32);
    }

    /**
     * Writes the adapter with weights stored as {@code dtype}. IllegalArgumentException naming the tensor if a key
     * is not a PEFT LoRA/modules_to_save key, a factor has no partner, or a shape disagrees with {@code r}.
     */
    public static void write(Path dir, PeftAdapterConfig config, Map<String, FloatTensor> tensors, DType dtype) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        tensors.forEach((k, t) -> shapes.put(k, t.shape()));
        List<String> problems = PeftAdapterCheck.problems(config, shapes, null);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot write adapter to " + dir + ":\n  "
                    + String.join("\n  ", problems));
        }
        Map<String, FloatTensor> sorted = new TreeMap<>(tensors);
        List<TensorSpec> specs = new ArrayList<>();
        sorted.forEach((k, t) -> specs.add(new TensorSpec(k, dtype, t.shape())));
        try {
            Files.createDirectories(dir);
            JSON.writeValue(dir.resolve(CONFIG_FILE).toFile(), config.toJson());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(CONFIG_FILE) + ": " + e.getMessage(), e);
        }
        try (SafetensorsWriter w = SafetensorsWriter.open(dir.resolve(WEIGHTS_FILE), specs,
                SafetensorsWriter.PT_METADATA)) {
            sorted.forEach((k, t) -> w.write(k, t.data()));
        }
    }

    /** Reads adapter_config.json of {@code dir}. */
    public static PeftAdapterConfig readConfig(Path dir) {
        Path file = dir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no " + CONFIG_FILE + " in adapter directory " + dir);
        }
        try {
            return PeftAdapterConfig.fromJson(JSON.readTree(file.toFile()), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Opens adapter_model.safetensors of {@code dir} (memory-mapped; the caller closes it). */
    public static SafetensorsFile openWeights(Path dir) {
        Path file = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no " + WEIGHTS_FILE + " in adapter directory " + dir);
        }
        return SafetensorsFile.open(file);
    }

    /** Reads the whole adapter into memory, checking its tensors against its config. */
    public static PeftAdapter read(Path dir) {
        PeftAdapterConfig config = readConfig(dir);
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        try (SafetensorsFile f = openWeights(dir)) {
            for (String name : f.names()) {
                tensors.put(name, new FloatTensor(f.info(name).shape(), f.readFloats(name)));
            }
        }
        List<String> problems = PeftAdapterCheck.problems(config, new PeftAdapter(config, tensors).shapes(), null);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid adapter in " + dir + ":\n  " + String.join("\n  ", problems));
        }
        return new PeftAdapter(config, tensors);
    }
}

package dev.orpo.model.merge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orpo.model.io.CheckpointReader;
import dev.orpo.model.io.DType;
import dev.orpo.model.llama.HfConfigReader;
import dev.orpo.model.io.SafetensorsFile;
import dev.orpo.model.io.ShardedCheckpointWriter;
import dev.orpo.model.io.TensorSpec;
import dev.orpo.model.llama.WeightShapes;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.lora.PeftAdapterCheck;
import dev.orpo.model.lora.PeftAdapterConfig;
import dev.orpo.model.lora.PeftAdapterFiles;
import dev.orpo.model.lora.PeftKeys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges a PEFT LoRA adapter into a Hugging Face checkpoint, streaming: one base tensor at a time is read (fp32),
 * updated with {@code W' = W + scaling · (B @ A)} or replaced by the adapter's modules_to_save tensor, narrowed to
 * the output dtype and written to a (sharded) safetensors checkpoint. Peak heap is about one fp32 copy of the
 * largest tensor plus its LoRA factors; shards stay memory-mapped. The output appears only when complete.
 */
public final class AdapterMerger {
    /** Files copied next to the merged weights; the adapter's copy wins (it has the added chat tokens). */
    static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "tokenizer.model", "chat_template.jinja");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String EMBED = PeftAdapterCheck.EMBED;
    private static final String LM_HEAD = PeftAdapterCheck.LM_HEAD;

    private AdapterMerger() {
    }

    /** Merges {@code adapterDir} into {@code baseDir} and writes a complete model to {@code outDir}. */
    public static MergeResult merge(Path baseDir, Path adapterDir, Path outDir, MergeOptions options) {
        Path configFile = baseDir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new IllegalArgumentException("no config.json in base model directory " + baseDir);
        }
        ObjectNode baseConfigJson = readJson(configFile);
        LlamaConfig baseConfig = HfConfigReader.parse(baseConfigJson, configFile.toString());
        PeftAdapterConfig adapterConfig = PeftAdapterFiles.readConfig(adapterDir);
        try (CheckpointReader base = CheckpointReader.open(baseDir);
             SafetensorsFile adapter = PeftAdapterFiles.openWeights(adapterDir)) {
            List<String> baseErrors = WeightShapes.validate(baseConfig, base);
            if (!baseErrors.isEmpty()) {
                throw new IllegalArgumentException("base checkpoint " + baseDir + " does not match its config.json:\n  "
                        + String.join("\n  ", baseErrors));
            }
            return merge(baseDir, adapterDir, outDir, options, baseConfigJson, baseConfig, adapterConfig, base,
                    adapter);
        }
    }

    private static MergeResult merge(Path baseDir, Path adapterDir, Path outDir, MergeOptions options,
                                     ObjectNode baseConfigJson, LlamaConfig baseConfig,
                                     PeftAdapterConfig adapterConfig, CheckpointReader base,
                                     SafetensorsFile adapter) {
        try (StagingDir staging = StagingDir.create(outDir)) {
            Map<String, PeftKeys.Key> keys = checkFits(base, adapter, adapterConfig, baseDir, adapterDir);
            DType dtype = outputDtype(options, baseConfig, base);
            Plan plan = plan(base, adapter, keys, dtype);
            List<Path> files = writeTensors(base, adapter, plan, adapterConfig, staging.path(), options);
            long[] embed = plan.shapes.get(EMBED);                           // resized by modules_to_save?
            int vocab = embed != null ? (int) embed[0] : baseConfig.vocabSize();
            boolean untied = !base.names().contains(LM_HEAD) && plan.replaced.containsKey(LM_HEAD);
            writeConfig(baseConfigJson, dtype, vocab, untied, staging.path());
            copyIfPresent(baseDir, staging.path(), List.of("generation_config.json"));
            copyTokenizerFiles(baseDir, adapterDir, staging.path());
            staging.commit();
            List<Path> finalFiles = files.stream().map(f -> outDir.toAbsolutePath().normalize()
                    .resolve(f.getFileName())).toList();
            return new MergeResult(outDir.toAbsolutePath().normalize(), dtype, plan.specs.size(), plan.lora.size(),
                    plan.replaced.size(), plan.specs.stream().mapToLong(TensorSpec::byteLength).sum(), vocab,
                    finalFiles);
        }
    }

    /** Adapter key per base tensor it touches, after checking every adapter tensor against the base's shapes. */
    private static Map<String, PeftKeys.Key> checkFits(CheckpointReader base, SafetensorsFile adapter,
                                                       PeftAdapterConfig config, Path baseDir, Path adapterDir) {
        Map<String, long[]> baseShapes = new LinkedHashMap<>();
        base.names().forEach(n -> baseShapes.put(n, base.shape(n)));
        Map<String, long[]> adapterShapes = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (String n : adapter.names()) {
            adapterShapes.put(n, adapter.info(n).shape());
            if (!adapter.info(n).dtype().isFloating()) {
                problems.add("adapter tensor " + n + " has non-floating dtype " + adapter.info(n).dtype());
            }
        }
        problems.addAll(PeftAdapterCheck.problems(config, adapterShapes, baseShapes));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("adapter " + adapterDir + " does not fit base model " + baseDir
                    + ":\n  " + String.join("\n  ", problems));
        }
        Map<String, PeftKeys.Key> keys = new HashMap<>();
        adapter.names().forEach(n -> keys.put(n, PeftKeys.parse(n)));
        return keys;
    }

    /** The requested dtype, else the dtype the base weights are stored in, else config.json's torch_dtype. */
    private static DType outputDtype(MergeOptions options, LlamaConfig config, CheckpointReader base) {
        if (options.outputDtype() != null) {
            return options.outputDtype();
        }
        DType stored = base.floatingDtype();
        if (stored == DType.F16 || stored == DType.BF16 || stored == DType.F32) {
            return stored;
        }
        return config.torchDtype() != null ? DType.fromTorchName(config.torchDtype()) : DType.F32;
    }

    /** Output tensors in base order (shard by shard), with the LoRA pair or replacement for each. */
    private static final class Plan {
        final List<TensorSpec> specs = new ArrayList<>();
        final Map<String, String[]> lora = new HashMap<>();       // base tensor -> {A key, B key}
        final Map<String, String> replaced = new HashMap<>();     // base tensor -> adapter key
        final Map<String, long[]> shapes = new HashMap<>();        // replaced tensors' new shapes

        long[] shapeOf(CheckpointReader base, String name) {
            return shapes.containsKey(name) ? shapes.get(name) : base.shape(name);
        }
    }

    private static Plan plan(CheckpointReader base, SafetensorsFile adapter, Map<String, PeftKeys.Key> keys,
                             DType dtype) {
        Plan p = new Plan();
        keys.forEach((key, k) -> {
            switch (k.kind()) {
                case LORA_A -> p.lora.put(k.baseTensor(), new String[]{key, PeftKeys.loraB(k.module())});
                case SAVED_MODULE -> {
                    p.replaced.put(k.baseTensor(), key);
                    p.shapes.put(k.baseTensor(), adapter.info(key).shape());
                }
                default -> { }
            }
        });
        for (String name : base.names()) {
            DType stored = base.dtype(name);
            p.specs.add(new TensorSpec(name, stored.isFloating() ? dtype : stored, p.shapeOf(base, name)));
        }
        if (p.replaced.containsKey(LM_HEAD) && !base.names().contains(LM_HEAD)) {  // tied base, untied adapter
            p.specs.add(new TensorSpec(LM_HEAD, dtype, p.shapes.get(LM_HEAD)));
        }
        return p;
    }

    private static List<Path> writeTensors(CheckpointReader base, SafetensorsFile adapter, Plan plan,
                                           PeftAdapterConfig config, Path dir, MergeOptions options) {
        float scaling = (float) config.scaling();
        try (ShardedCheckpointWriter out = ShardedCheckpointWriter.open(dir, plan.specs, options.maxShardBytes())) {
            for (TensorSpec spec : plan.specs) {
                String name = spec.name();
                if (plan.replaced.containsKey(name)) {                   // modules_to_save: take the adapter's
                    out.write(name, adapter.readFloats(plan.replaced.get(name)));
                } else if (!base.dtype(name).isFloating()) {             // integer buffers: copy bytes
                    out.writeRaw(name, base.readRaw(name));
                } else if (plan.lora.containsKey(name)) {                // W' = W + scaling · (B @ A)
                    long[] shape = base.shape(name);                     // (out, in)
                    float[] w = base.readFloats(name);
                    String[] ab = plan.lora.get(name);
                    LoraDelta.addTo(w, (int) shape[0], (int) shape[1], adapter.readFloats(ab[0]),
                            adapter.readFloats(ab[1]), config.r(), scaling);
                    out.write(name, w);
                } else {                                                 // untouched: re-encode
                    out.write(name, base.readFloats(name));
                }
            }
            return out.finish();
        }
    }

    private static void writeConfig(ObjectNode baseConfig, DType dtype, int vocab, boolean untied, Path dir) {
        ObjectNode c = baseConfig.deepCopy();
        if (untied) {
            c.put("tie_word_embeddings", false);
        }
        c.put("torch_dtype", dtype.torchName());
        if (c.has("dtype")) {
            c.put("dtype", dtype.torchName());
        }
        c.put("vocab_size", vocab);
        try {
            JSON.writeValue(dir.resolve("config.json").toFile(), c);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write config.json: " + e.getMessage(), e);
        }
    }

    private static void copyTokenizerFiles(Path baseDir, Path adapterDir, Path out) {
        boolean adapterHasTokenizer = Files.isRegularFile(adapterDir.resolve("tokenizer.json"))
                || Files.isRegularFile(adapterDir.resolve("tokenizer_config.json"));
        copyIfPresent(adapterHasTokenizer ? adapterDir : baseDir, out, TOKENIZER_FILES);
    }

    private static void copyIfPresent(Path from, Path to, List<String> names) {
        for (String n : names) {
            Path src = from.resolve(n);
            if (Files.isRegularFile(src)) {
                try {
                    Files.copy(src, to.resolve(n));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot copy " + src + ": " + e.getMessage(), e);
                }
            }
        }
    }

    private static ObjectNode readJson(Path file) {
        try {
            if (JSON.readTree(file.toFile()) instanceof ObjectNode o) {
                return o;
            }
            throw new IllegalArgumentException(file + " is not a JSON object");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}

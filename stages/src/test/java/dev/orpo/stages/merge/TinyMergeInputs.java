package dev.orpo.stages.merge;

import dev.orpo.model.io.FloatTensor;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.lora.PeftAdapterConfig;
import dev.orpo.model.lora.PeftAdapterFiles;
import dev.orpo.model.lora.PeftKeys;
import dev.orpo.model.synthetic.SyntheticLlama;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** A tiny synthetic Llama (vocab 16, hidden 8, 1 layer) and a random r=2 adapter on q_proj and v_proj. */
public final class TinyMergeInputs {
    public static final LlamaConfig CONFIG = SyntheticLlama.config(16, 8, 1, 2, 1, 16);

    private TinyMergeInputs() {
    }

    public static Path base(Path dir) {
        return SyntheticLlama.write(dir, CONFIG, 7);
    }

    /** @param otherBase q_proj's lora_A made for a wider model (hidden 12): an adapter of a different base */
    public static Path adapter(Path dir, boolean otherBase) {
        SplittableRandom rng = new SplittableRandom(11);
        Map<String, FloatTensor> t = new LinkedHashMap<>();
        int kv = CONFIG.numKeyValueHeads() * CONFIG.headDim();
        for (String m : List.of("q_proj", "v_proj")) {
            String module = "model.layers.0.self_attn." + m;
            int out = m.equals("q_proj") ? CONFIG.hiddenSize() : kv;
            int in = otherBase && m.equals("q_proj") ? CONFIG.hiddenSize() + 4 : CONFIG.hiddenSize();
            t.put(PeftKeys.loraA(module), random(rng, 2, in));
            t.put(PeftKeys.loraB(module), random(rng, out, 2));
        }
        PeftAdapterFiles.write(dir, new PeftAdapterConfig(2, 4, 0, List.of("q_proj", "v_proj"), false, List.of(),
                null), t);
        return dir;
    }

    /** Stand-in tokenizer files of the run (copied, not parsed, by the merge). */
    public static Path tokenizer(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("tokenizer.json"), "{\"run\": \"tokenizer with <|im_start|>\"}");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"chatml\"}");
        return dir;
    }

    private static FloatTensor random(SplittableRandom rng, int rows, int cols) {
        float[] d = new float[rows * cols];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (rng.nextDouble() - 0.5);
        }
        return new FloatTensor(new long[]{rows, cols}, d);
    }
}

package dev.orpo.model.merge;

import dev.orpo.model.io.DType;
import dev.orpo.model.io.FloatTensor;
import dev.orpo.model.llama.HfConfigWriter;
import dev.orpo.model.io.ShardedCheckpointWriter;
import dev.orpo.model.io.TensorSpec;
import dev.orpo.model.llama.WeightShapes;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.lora.PeftAdapterConfig;
import dev.orpo.model.lora.PeftAdapterFiles;
import dev.orpo.model.lora.PeftKeys;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Generates Hugging Face model and PEFT adapter directories filled with deterministic pseudo-random values. */
final class SyntheticModel {
    private SyntheticModel() {
    }

    static LlamaConfig config(int vocab, int hidden, int ffn, int layers, int heads, int kvHeads, String dtype) {
        return new LlamaConfig("LlamaForCausalLM", vocab, hidden, ffn, layers, heads, kvHeads, hidden / heads, 1e-5,
                10000, null, 256, false, false, 1, List.of(2), null, dtype);
    }

    /** Deterministic values in [-scale, scale), distinct per tensor name. */
    static float[] values(String name, long n, float scale) {
        float[] v = new float[Math.toIntExact(n)];
        long s = name.hashCode() * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < v.length; i++) {
            s ^= s << 13;
            s ^= s >>> 7;
            s ^= s << 17;
            v[i] = ((s >>> 40) / (float) (1L << 24) * 2 - 1) * scale;
        }
        return v;
    }

    /** Writes config.json, generation_config.json, a tokenizer stub and the weights (sharded at maxShard). */
    static void writeBase(Path dir, LlamaConfig c, DType dtype, long maxShard) {
        HfConfigWriter.write(dir, c);
        List<TensorSpec> specs = WeightShapes.specs(c, dtype);
        try (ShardedCheckpointWriter w = ShardedCheckpointWriter.open(dir, specs, maxShard)) {
            for (TensorSpec s : specs) {
                w.write(s.name(), values(s.name(), s.numel(), 0.05f));
            }
            w.finish();
        }
        try {
            java.nio.file.Files.writeString(dir.resolve("tokenizer.json"), "{\"base\": true}");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** LoRA factors (B non-zero) on {@code modules} of every layer, keyed by PEFT names. */
    static Map<String, FloatTensor> lora(LlamaConfig c, int r, List<String> modules) {
        Map<String, long[]> shapes = WeightShapes.expected(c);
        Map<String, FloatTensor> m = new LinkedHashMap<>();
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            for (String leaf : modules) {
                String group = leaf.endsWith("_proj") && List.of("gate_proj", "up_proj", "down_proj").contains(leaf)
                        ? "mlp." : "self_attn.";
                String module = "model.layers." + i + "." + group + leaf;
                long[] w = shapes.get(module + ".weight");                 // (out, in)
                String a = PeftKeys.loraA(module);
                String b = PeftKeys.loraB(module);
                m.put(a, new FloatTensor(new long[]{r, w[1]}, values(a, r * w[1], 0.1f)));
                m.put(b, new FloatTensor(new long[]{w[0], r}, values(b, w[0] * r, 0.1f)));
            }
        }
        return m;
    }

    static void writeAdapter(Path dir, PeftAdapterConfig config, Map<String, FloatTensor> tensors) {
        PeftAdapterFiles.write(dir, config, tensors);
    }

    /** The reference merge of one weight in double precision: W + scaling · B @ A. */
    static double[] reference(float[] w, float[] a, float[] b, int out, int in, int r, double scaling) {
        double[] ref = new double[w.length];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                double d = 0;
                for (int k = 0; k < r; k++) {
                    d += (double) b[o * r + k] * a[k * in + i];
                }
                ref[o * in + i] = w[o * in + i] + scaling * d;
            }
        }
        return ref;
    }
}

package dev.orpo.model.llama;

import dev.orpo.model.io.DType;
import dev.orpo.model.io.TensorSource;
import dev.orpo.model.io.TensorSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The tensors a Hugging Face Llama-family checkpoint holds for a {@link LlamaConfig}, with their shapes, in
 * transformers' naming; {@link #validate} compares a checkpoint against them.
 */
public final class WeightShapes {
    private WeightShapes() {
    }

    /** Expected name → shape, in model order (embeddings, layers, final norm, lm_head unless tied). */
    public static Map<String, long[]> expected(LlamaConfig c) {
        long h = c.hiddenSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long ff = c.intermediateSize();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("model.embed_tokens.weight", new long[]{c.vocabSize(), h});
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            m.put(p + "input_layernorm.weight", new long[]{h});
            m.put(p + "self_attn.q_proj.weight", new long[]{q, h});
            m.put(p + "self_attn.k_proj.weight", new long[]{kv, h});
            m.put(p + "self_attn.v_proj.weight", new long[]{kv, h});
            if (c.attentionBias()) {
                m.put(p + "self_attn.q_proj.bias", new long[]{q});
                m.put(p + "self_attn.k_proj.bias", new long[]{kv});
                m.put(p + "self_attn.v_proj.bias", new long[]{kv});
            }
            m.put(p + "self_attn.o_proj.weight", new long[]{h, q});
            m.put(p + "post_attention_layernorm.weight", new long[]{h});
            m.put(p + "mlp.gate_proj.weight", new long[]{ff, h});
            m.put(p + "mlp.up_proj.weight", new long[]{ff, h});
            m.put(p + "mlp.down_proj.weight", new long[]{h, ff});
        }
        m.put("model.norm.weight", new long[]{h});
        if (!c.tieWordEmbeddings()) {
            m.put("lm_head.weight", new long[]{c.vocabSize(), h});
        }
        return m;
    }

    /** Parameters of a checkpoint for {@code c}: the sum of every expected tensor's elements (q/k/v biases included). */
    public static long parameterCount(LlamaConfig c) {
        long n = 0;
        for (long[] shape : expected(c).values()) {
            long size = 1;
            for (long d : shape) {
                size *= d;
            }
            n += size;
        }
        return n;
    }

    /** The expected tensors as write specs in {@code dtype}. */
    public static List<TensorSpec> specs(LlamaConfig c, DType dtype) {
        List<TensorSpec> out = new ArrayList<>();
        expected(c).forEach((n, s) -> out.add(new TensorSpec(n, dtype, s)));
        return out;
    }

    /**
     * Every mismatch between {@code source} and {@code config}: shape differences (expected vs actual), missing and
     * unexpected tensors. Empty when the checkpoint fits. A tied lm_head.weight duplicate and rotary
     * {@code inv_freq} buffers (older checkpoints) are tolerated, as transformers does.
     */
    public static List<String> validate(LlamaConfig config, TensorSource source) {
        Map<String, long[]> expected = expected(config);
        List<String> errors = new ArrayList<>();
        expected.forEach((name, shape) -> {
            if (!source.names().contains(name)) {
                errors.add("missing tensor " + name + " (expected shape " + Arrays.toString(shape) + ")");
            } else if (!Arrays.equals(shape, source.shape(name))) {
                errors.add("tensor " + name + " has shape " + Arrays.toString(source.shape(name)) + " but the config"
                        + " expects " + Arrays.toString(shape));
            }
        });
        for (String name : new TreeSet<>(source.names())) {
            boolean tolerated = name.endsWith(".rotary_emb.inv_freq")
                    || (name.equals("lm_head.weight") && config.tieWordEmbeddings());
            if (!expected.containsKey(name) && !tolerated) {
                errors.add("unexpected tensor " + name + " " + Arrays.toString(source.shape(name)));
            }
        }
        return errors;
    }
}

package dev.orpo.model.llama;

import dev.orpo.model.io.FloatTensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** A seeded random tiny Llama (HF tensor names) for behaviour tests. */
final class TinyLlama {
    private TinyLlama() {
    }

    static LlamaConfig config(boolean tied) {
        return new LlamaConfig("LlamaForCausalLM", 50, 16, 24, 2, 4, 2, 4, 1e-5, 10000.0, null, 64, tied, false, 1,
                List.of(2), 0, "float32");
    }

    static GoldenFixture.MapTensorSource weights(LlamaConfig c, long seed) {
        return weights(c, seed, 0.3, 0.5);
    }

    /** Weights with linear std {@code linear} (LM head {@code head}); 1/√fan-in keeps activations O(1). */
    static GoldenFixture.MapTensorSource weights(LlamaConfig c, long seed, double linear, double head) {
        Random rng = new Random(seed);
        Map<String, FloatTensor> w = new LinkedHashMap<>();
        int h = c.hiddenSize();
        int q = c.numAttentionHeads() * c.headDim();
        int kv = c.numKeyValueHeads() * c.headDim();
        int i = c.intermediateSize();
        put(w, rng, "model.embed_tokens.weight", 1.0, 0, c.vocabSize(), h);
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            String p = "model.layers." + l + ".";
            put(w, rng, p + "input_layernorm.weight", 0.1, 1, h);
            put(w, rng, p + "self_attn.q_proj.weight", linear, 0, q, h);
            put(w, rng, p + "self_attn.k_proj.weight", linear, 0, kv, h);
            put(w, rng, p + "self_attn.v_proj.weight", linear, 0, kv, h);
            put(w, rng, p + "self_attn.o_proj.weight", linear, 0, h, q);
            put(w, rng, p + "post_attention_layernorm.weight", 0.1, 1, h);
            put(w, rng, p + "mlp.gate_proj.weight", linear, 0, i, h);
            put(w, rng, p + "mlp.up_proj.weight", linear, 0, i, h);
            put(w, rng, p + "mlp.down_proj.weight", linear, 0, h, i);
        }
        put(w, rng, "model.norm.weight", 0.1, 1, h);
        if (!c.tieWordEmbeddings()) {
            put(w, rng, "lm_head.weight", head, 0, c.vocabSize(), h);
        }
        return new GoldenFixture.MapTensorSource(w);
    }

    private static void put(Map<String, FloatTensor> w, Random rng, String name, double scale, double mean,
                            long... shape) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] data = new float[n];
        for (int k = 0; k < n; k++) {
            data[k] = (float) (mean + scale * rng.nextGaussian());
        }
        w.put(name, new FloatTensor(shape, data));
    }
}

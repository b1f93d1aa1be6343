package dev.orpo.model.synthetic;

import dev.orpo.model.io.DType;
import dev.orpo.model.io.FloatTensor;
import dev.orpo.model.llama.HfConfigWriter;
import dev.orpo.model.io.SafetensorsWriter;
import dev.orpo.model.io.ShardedCheckpointWriter;
import dev.orpo.model.io.TensorSpec;
import dev.orpo.model.llama.LlamaConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Makes seeded, randomly initialised Llama-architecture checkpoints (a Hugging Face directory with
 * {@code config.json} + {@code model.safetensors}) for tests, demos and benchmarks: the same seed gives bit-identical
 * weights, and {@code CheckpointReader} / {@code HfConfigReader} load the result like any downloaded model.
 *
 * <p>Initialisation (chosen so an untrained model has unit-scale activations and logits of order 1, which lets a LoRA
 * learn a task within a few dozen steps): embeddings N(0, 1); every projection N(0, 1/√fan_in), with o_proj and
 * down_proj further scaled by 1/√(2·layers) (GPT-2's residual scaling, keeps the residual stream from growing with
 * depth); RMSNorm weights 1; an untied lm_head N(0, 1/√hidden).
 */
public final class SyntheticLlama {

    private SyntheticLlama() {
    }

    /**
     * A small {@code LlamaForCausalLM} config with Llama 3 conventions (GQA, rope theta 500000, untied lm_head so
     * embeddings and head are separate tensors). Token ids: 0 pad, 1 BOS, 2 EOS ({@link TokenSpace#tiny()}).
     *
     * @param vocabSize        vocabulary size (≥ 4)
     * @param hiddenSize       model width; a multiple of {@code heads}
     * @param layers           decoder layers
     * @param heads            attention heads (head_dim = hidden / heads)
     * @param kvHeads          key/value heads; divides {@code heads}
     * @param intermediateSize MLP width
     */
    public static LlamaConfig config(int vocabSize, int hiddenSize, int layers, int heads, int kvHeads,
                                     int intermediateSize) {
        require(vocabSize >= 4, "vocab_size must be >= 4 (pad, bos, eos + one token), got " + vocabSize);
        require(hiddenSize > 0 && heads > 0 && hiddenSize % heads == 0,
                "hidden_size " + hiddenSize + " must be a positive multiple of num_attention_heads " + heads);
        require(kvHeads > 0 && heads % kvHeads == 0,
                "num_key_value_heads " + kvHeads + " must divide num_attention_heads " + heads);
        require(layers > 0, "num_hidden_layers must be > 0, got " + layers);
        require(intermediateSize > 0, "intermediate_size must be > 0, got " + intermediateSize);
        return new LlamaConfig("LlamaForCausalLM", vocabSize, hiddenSize, intermediateSize, layers, heads, kvHeads,
                hiddenSize / heads, 1e-5, 500000.0, null, 256, false, false, TokenSpace.BOS, List.of(TokenSpace.EOS),
                TokenSpace.PAD, "float32");
    }

    /**
     * The default tiny model: vocab 64, hidden 64, 2 layers, 4 heads (2 KV heads), MLP 128 (~0.1 M parameters).
     * Big enough to learn {@link SyntheticPreferenceTask#defaults()} with a rank-8 LoRA in ~40 steps, small enough
     * for a 2-core CI machine.
     */
    public static LlamaConfig tiny() {
        return config(64, 64, 2, 4, 2, 128);
    }

    /** Random weights under Hugging Face tensor names, in checkpoint order. */
    public static Map<String, FloatTensor> weights(LlamaConfig c, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, FloatTensor> w = new LinkedHashMap<>();
        for (Entry e : layout(c)) {
            w.put(e.name(), e.generate(rng));
        }
        return w;
    }

    /** Writes {@code config.json}, {@code generation_config.json} and fp32 {@code model.safetensors} into {@code dir}. */
    public static Path write(Path dir, LlamaConfig config, long seed) {
        HfConfigWriter.write(dir, config);
        List<Entry> layout = layout(config);
        List<TensorSpec> specs = layout.stream().map(e -> new TensorSpec(e.name(), DType.F32, e.shape())).toList();
        SplittableRandom rng = new SplittableRandom(seed);
        try (SafetensorsWriter out = SafetensorsWriter.open(dir.resolve("model.safetensors"), specs,
                SafetensorsWriter.PT_METADATA)) {
            for (Entry e : layout) { // one tensor in memory at a time
                out.write(e.name(), e.generate(rng).data());
            }
        }
        return dir;
    }

    /**
     * The same weights stored as {@code dtype} (e.g. BF16, as hub checkpoints are) in shards of at most
     * {@code maxShardBytes} with an index, as {@code save_pretrained} writes them; one tensor in memory at a time.
     */
    public static Path write(Path dir, LlamaConfig config, long seed, DType dtype, long maxShardBytes) {
        HfConfigWriter.write(dir, config);
        List<Entry> layout = layout(config);
        List<TensorSpec> specs = layout.stream().map(e -> new TensorSpec(e.name(), dtype, e.shape())).toList();
        SplittableRandom rng = new SplittableRandom(seed);
        try (ShardedCheckpointWriter out = ShardedCheckpointWriter.open(dir, specs, maxShardBytes)) {
            for (Entry e : layout) {
                out.write(e.name(), e.generate(rng).data());
            }
            out.finish();
        }
        return dir;
    }

    /** One tensor of the checkpoint: its name, shape and N(0, std²) initialisation (NaN std: all ones). */
    private record Entry(String name, long[] shape, double std) {
        FloatTensor generate(SplittableRandom rng) {
            FloatTensor t = FloatTensor.zeros(shape);
            float[] data = t.data();
            for (int i = 0; i < data.length; i++) {
                data[i] = Double.isNaN(std) ? 1f : (float) (std * gaussian(rng));
            }
            return t;
        }
    }

    /** Every tensor in checkpoint order (the order the generator draws them in). */
    private static List<Entry> layout(LlamaConfig c) {
        long h = c.hiddenSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long ffn = c.intermediateSize();
        double residual = 1.0 / Math.sqrt(2.0 * c.numHiddenLayers());
        double ones = Double.NaN;
        List<Entry> w = new ArrayList<>();
        w.add(new Entry("model.embed_tokens.weight", new long[] {c.vocabSize(), h}, 1.0));
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            String p = "model.layers." + l + ".";
            w.add(new Entry(p + "input_layernorm.weight", new long[] {h}, ones));
            w.add(new Entry(p + "self_attn.q_proj.weight", new long[] {q, h}, 1 / Math.sqrt(h)));
            w.add(new Entry(p + "self_attn.k_proj.weight", new long[] {kv, h}, 1 / Math.sqrt(h)));
            w.add(new Entry(p + "self_attn.v_proj.weight", new long[] {kv, h}, 1 / Math.sqrt(h)));
            w.add(new Entry(p + "self_attn.o_proj.weight", new long[] {h, q}, residual / Math.sqrt(q)));
            w.add(new Entry(p + "post_attention_layernorm.weight", new long[] {h}, ones));
            w.add(new Entry(p + "mlp.gate_proj.weight", new long[] {ffn, h}, 1 / Math.sqrt(h)));
            w.add(new Entry(p + "mlp.up_proj.weight", new long[] {ffn, h}, 1 / Math.sqrt(h)));
            w.add(new Entry(p + "mlp.down_proj.weight", new long[] {h, ffn}, residual / Math.sqrt(ffn)));
        }
        w.add(new Entry("model.norm.weight", new long[] {h}, ones));
        if (!c.tieWordEmbeddings()) {
            w.add(new Entry("lm_head.weight", new long[] {c.vocabSize(), h}, 1 / Math.sqrt(h)));
        }
        return w;
    }

    /** Box–Muller on SplittableRandom (which has no nextGaussian in Java 17). */
    private static double gaussian(SplittableRandom rng) {
        double u = 1.0 - rng.nextDouble(); // (0, 1]
        double v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}

package dev.orpo.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.orpo.model.io.TensorSource;
import dev.orpo.model.lora.LoraLinear;
import dev.orpo.model.lora.WeightStorage;
import dev.orpo.model.tensor.HostArrays;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Builds a {@link LlamaModel} from Hugging Face tensor names ({@code model.layers.0.self_attn.q_proj.weight} …). */
final class LlamaLoader {
    private final LlamaConfig c;
    private final TensorSource source;
    private final NDManager manager;
    private final WeightStorage base;

    private LlamaLoader(LlamaConfig c, TensorSource source, NDManager manager, WeightStorage base) {
        this.c = c;
        this.source = source;
        this.manager = manager;
        this.base = base;
    }

    static LlamaModel load(LlamaConfig config, TensorSource source, NDManager manager, WeightStorage base) {
        return new LlamaLoader(config, source, manager, base).build();
    }

    private LlamaModel build() {
        List<String> problems = WeightShapes.validate(c, source);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("checkpoint does not fit config.json: " + String.join("; ", problems));
        }
        long hidden = c.hiddenSize();
        long qOut = (long) c.numAttentionHeads() * c.headDim();
        long kvOut = (long) c.numKeyValueHeads() * c.headDim();
        if (c.numAttentionHeads() % c.numKeyValueHeads() != 0) {
            throw new IllegalArgumentException("num_attention_heads " + c.numAttentionHeads()
                    + " is not a multiple of num_key_value_heads " + c.numKeyValueHeads());
        }
        TokenEmbedding embed = new TokenEmbedding(tensor("model.embed_tokens.weight", c.vocabSize(), hidden));
        List<DecoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            layers.add(new DecoderLayer(c,
                    norm(p + "input_layernorm.weight"),
                    linear(p + "self_attn.q_proj", qOut, hidden, c.attentionBias()),
                    linear(p + "self_attn.k_proj", kvOut, hidden, c.attentionBias()),
                    linear(p + "self_attn.v_proj", kvOut, hidden, c.attentionBias()),
                    linear(p + "self_attn.o_proj", hidden, qOut, false),
                    norm(p + "post_attention_layernorm.weight"),
                    new Mlp(linear(p + "mlp.gate_proj", c.intermediateSize(), hidden, false),
                            linear(p + "mlp.up_proj", c.intermediateSize(), hidden, false),
                            linear(p + "mlp.down_proj", hidden, c.intermediateSize(), false))));
        }
        RmsNorm finalNorm = norm("model.norm.weight");
        LmHead head = c.tieWordEmbeddings() ? new LmHead(embed, true)
                : new LmHead(new TokenEmbedding(tensor("lm_head.weight", c.vocabSize(), hidden)), false);
        return new LlamaModel(c, manager, embed, layers, finalNorm, head);
    }

    private RmsNorm norm(String name) {
        return new RmsNorm(tensor(name, c.hiddenSize()), c.rmsNormEps());
    }

    private LoraLinear linear(String prefix, long out, long in, boolean bias) {
        String name = prefix + ".weight";
        // one weight's fp32 host copy at a time: the storage keeps it dense or quantizes it
        return new LoraLinear(base.create(manager, name, floats(name, out, in), out, in),
                bias ? tensor(prefix + ".bias", out) : null);
    }

    /** Reads one tensor as fp32, checking presence and shape; errors name the tensor. */
    private NDArray tensor(String name, long... expected) {
        return HostArrays.floats(manager, floats(name, expected), new Shape(expected));
    }

    /** Reads one tensor as host fp32, checking presence and shape; errors name the tensor. */
    private float[] floats(String name, long... expected) {
        if (!source.names().contains(name)) {
            throw new IllegalArgumentException("checkpoint has no tensor " + name);
        }
        long[] shape = source.shape(name);
        if (!Arrays.equals(shape, expected)) {
            throw new IllegalArgumentException("tensor " + name + " has shape " + Arrays.toString(shape)
                    + ", config.json implies " + Arrays.toString(expected));
        }
        return source.readFloats(name);
    }
}

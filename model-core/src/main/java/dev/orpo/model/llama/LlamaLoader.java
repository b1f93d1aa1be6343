package dev.orpo.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.orpo.model.io.TensorSource;
import dev.orpo.model.io.WeightShapes;
import dev.orpo.model.lora.DenseWeight;
import dev.orpo.model.lora.FrozenWeights;
import dev.orpo.model.lora.LoraLinear;
import dev.orpo.model.tensor.ComputeDType;
import dev.orpo.model.tensor.HostArrays;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Builds a {@link LlamaModel} from Hugging Face tensor names ({@code model.layers.0.self_attn.q_proj.weight} …). */
final class LlamaLoader {
    /** 256 Mi floats (1 GiB) per host-to-native copy. */
    static final long MAX_CHUNK_VALUES = 1L << 28;
    /** Dense fp32 base weights (the default). */
    static final FrozenWeights DENSE = (manager, name, values, out, in) ->
            new DenseWeight(toNDArray(manager, values, new long[] {out, in}, MAX_CHUNK_VALUES));
    private final LlamaConfig c;
    private final TensorSource source;
    private final NDManager manager;
    private final FrozenWeights base;

    private LlamaLoader(LlamaConfig c, TensorSource source, NDManager manager, FrozenWeights base) {
        this.c = c;
        this.source = source;
        this.manager = manager;
        this.base = base;
    }

    static LlamaModel load(LlamaConfig config, TensorSource source, NDManager manager, FrozenWeights base) {
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
        return toNDArray(manager, floats(name, expected), expected, MAX_CHUNK_VALUES);
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

    /**
     * Copies host floats to a native array. DJL stages the copy in one direct ByteBuffer (≤ 2 GB), too small for
     * e.g. Qwen2-7B's 152064 × 3584 embedding, so large tensors go over in blocks of rows and are concatenated.
     */
    static NDArray toNDArray(NDManager manager, float[] data, long[] shape, long maxChunkValues) {
        if (data.length <= maxChunkValues || shape.length == 0 || shape[0] < 2) {
            return HostArrays.floats(manager, data, new Shape(shape));
        }
        long rowValues = data.length / shape[0];
        int rowsPerChunk = (int) Math.max(1, maxChunkValues / rowValues);
        NDList chunks = new NDList();
        for (int row = 0; row < shape[0]; row += rowsPerChunk) {
            int rows = (int) Math.min(rowsPerChunk, shape[0] - row);
            long[] chunkShape = shape.clone();
            chunkShape[0] = rows;
            float[] part = Arrays.copyOfRange(data, (int) (row * rowValues), (int) ((row + rows) * rowValues));
            chunks.add(HostArrays.floats(manager, part, new Shape(chunkShape)));
        }
        NDArray whole = NDArrays.concat(chunks, 0).toType(ComputeDType.TYPE, false);
        chunks.close();
        return whole;
    }
}

package dev.orpo.model.llama;

import ai.djl.ndarray.NDArray;
import dev.orpo.model.lora.LoraLinear;
import dev.orpo.model.lora.LoraTarget;
import dev.orpo.model.tensor.HostArrays;

/** One Llama decoder layer: pre-norm grouped-query self-attention and pre-norm SwiGLU MLP, each with a residual. */
public final class DecoderLayer implements AutoCloseable {
    private final RmsNorm inputNorm;
    private final LoraLinear q;
    private final LoraLinear k;
    private final LoraLinear v;
    private final LoraLinear o;
    private final RmsNorm postAttentionNorm;
    private final Mlp mlp;
    private final int heads;
    private final int kvHeads;
    private final int headDim;

    DecoderLayer(LlamaConfig c, RmsNorm inputNorm, LoraLinear q, LoraLinear k, LoraLinear v, LoraLinear o,
                 RmsNorm postAttentionNorm, Mlp mlp) {
        this.inputNorm = inputNorm;
        this.q = q;
        this.k = k;
        this.v = v;
        this.o = o;
        this.postAttentionNorm = postAttentionNorm;
        this.mlp = mlp;
        this.heads = c.numAttentionHeads();
        this.kvHeads = c.numKeyValueHeads();
        this.headDim = c.headDim();
    }

    /**
     * x (B, T, C) → (B, T, C). With a {@code cache}, x holds only the new positions, whose rotated keys and values are
     * appended to it, and the bias (B, 1, T, P+T) covers the P cached and T new keys; without, the bias is (B, 1, T, T).
     *
     * @param in       rotary tables and attention bias, shared by every layer of the pass
     * @param cache    this layer's KV cache (incremental decoding), or null
     * @param training LoRA dropout on
     */
    public NDArray forward(NDArray x, LlamaModel.LayerInputs in, LayerKvCache cache, boolean training) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        // attention block: normalize, project to heads
        NDArray h = inputNorm.forward(x);
        NDArray qh = q.forward(h, training).reshape(b, t, heads, headDim).transpose(0, 2, 1, 3); // (B, H, T, D)
        NDArray kh = k.forward(h, training).reshape(b, t, kvHeads, headDim).transpose(0, 2, 1, 3); // (B, Hkv, T, D)
        NDArray vh = v.forward(h, training).reshape(b, t, kvHeads, headDim).transpose(0, 2, 1, 3); // (B, Hkv, T, D)
        // rotate queries and keys by their positions
        qh = RotaryEmbedding.apply(qh, in.rope());
        kh = RotaryEmbedding.apply(kh, in.rope());
        // with a cache: attend over the earlier positions' keys/values too
        if (cache != null) {
            LayerKvCache.KeysValues all = cache.append(kh, vh);
            kh = all.keys(); // (B, Hkv, P+T, D)
            vh = all.values(); // (B, Hkv, P+T, D)
        }
        // grouped-query attention: each key/value head serves heads/kvHeads query heads
        kh = repeatKv(kh); // (B, H, S, D), S = keys attended (T, or P+T with a cache)
        vh = repeatKv(vh); // (B, H, S, D)
        // scaled dot-product scores, masked, softmax over keys
        NDArray scale = HostArrays.scalar(qh, (float) (1 / Math.sqrt(headDim)));
        NDArray scores = qh.matMul(kh.transpose(0, 1, 3, 2)).mul(scale).add(in.bias()); // (B, H, T, S)
        NDArray attn = scores.softmax(-1).matMul(vh); // (B, H, T, D)
        // merge heads, output projection, residual
        NDArray merged = attn.transpose(0, 2, 1, 3).reshape(b, t, (long) heads * headDim); // (B, T, H·D)
        x = x.add(o.forward(merged, training));
        // MLP block: normalize, SwiGLU, residual
        return x.add(mlp.forward(postAttentionNorm.forward(x), training));
    }

    /** (B, Hkv, T, D) → (B, H, T, D), each kv head repeated for its group (HF repeat_kv). */
    private NDArray repeatKv(NDArray x) {
        int group = heads / kvHeads;
        if (group == 1) {
            return x;
        }
        long b = x.getShape().get(0);
        long t = x.getShape().get(2);
        return x.expandDims(2).broadcast(b, kvHeads, group, t, headDim) // (B, Hkv, G, T, D)
                .reshape(b, heads, t, headDim); // (B, H, T, D)
    }

    /** The linear layer LoRA can target. */
    public LoraLinear linear(LoraTarget target) {
        return switch (target) {
            case Q -> q;
            case K -> k;
            case V -> v;
            case O -> o;
            case GATE -> mlp.gate;
            case UP -> mlp.up;
            case DOWN -> mlp.down;
        };
    }

    @Override
    public void close() {
        inputNorm.close();
        q.close();
        k.close();
        v.close();
        o.close();
        postAttentionNorm.close();
        mlp.close();
    }
}

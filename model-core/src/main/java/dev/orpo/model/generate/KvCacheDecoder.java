package dev.orpo.model.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.tensor.ComputeDType;

/**
 * Decoding with a {@link KvCache}: the prompt is run once, after that each token costs one position. Keys and values
 * of earlier positions come from the cache; the new position is rotated at its absolute position and may attend to
 * every cached key and itself.
 */
public final class KvCacheDecoder implements Decoder {
    /** Added to disallowed attention scores; finite, like the model's own causal mask. */
    private static final float MASKED = 1e9f;

    private final LlamaModel model;
    private final NDManager manager;
    private final KvCache cache;

    /** @param parent manager under which per-step inputs are created (each step runs in its own NDScope) */
    public KvCacheDecoder(LlamaModel model, NDManager parent) {
        this.model = model;
        this.manager = parent.newSubManager();
        this.cache = new KvCache(model.layers().size());
    }

    @Override
    public float[] prefill(int[] promptIds) {
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("prompt is empty: generation needs at least one token");
        }
        if (cache.length() != 0) {
            throw new IllegalStateException("prefill called twice: this decoder already holds " + cache.length()
                    + " tokens");
        }
        return forward(promptIds);
    }

    @Override
    public float[] next(int tokenId) {
        if (cache.length() == 0) {
            throw new IllegalStateException("next called before prefill");
        }
        return forward(new int[] {tokenId});
    }

    private float[] forward(int[] newIds) {
        int past = cache.length();
        int t = newIds.length;
        if (past + t > maxLength()) {
            throw new IllegalArgumentException("sequence of " + (past + t) + " tokens exceeds the model's "
                    + maxLength() + " positions");
        }
        try (NDScope scope = new NDScope()) {
            NDArray ids = manager.create(toLongs(newIds)).reshape(1, t); // (1, T)
            NDArray positions = manager.arange(past, past + t, 1, DataType.INT64).reshape(1, t); // (1, T)
            NDArray logits = model.logits(ids, positions, causalBias(past, t), cache.layers()); // (1, T, V)
            return logits.get(0, t - 1).toFloatArray();
        }
    }

    /** (1, 1, T, P+T): query at absolute position P+i sees key j iff j ≤ P+i. */
    NDArray causalBias(int past, int t) {
        NDArray keys = manager.arange(0, past + t, 1, DataType.INT64).reshape(1, past + t); // (1, P+T)
        NDArray queries = manager.arange(past, past + t, 1, DataType.INT64).reshape(t, 1); // (T, 1)
        NDArray allowed = keys.lte(queries); // (T, P+T)
        return allowed.toType(ComputeDType.TYPE, false).sub(1f).mul(MASKED).reshape(1, 1, t, past + t);
    }

    static long[] toLongs(int[] ids) {
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }

    @Override
    public int length() {
        return cache.length();
    }

    @Override
    public int maxLength() {
        return model.config().maxPositionEmbeddings();
    }

    @Override
    public void close() {
        cache.close();
        manager.close();
    }
}

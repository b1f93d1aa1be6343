package dev.orpo.model.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.orpo.model.llama.Attention;
import dev.orpo.model.llama.LlamaModel;

/**
 * Decoding with a {@link KvCache}: the prompt is run once, after that each token costs one position. Keys and values
 * of earlier positions come from the cache; the new position is rotated at its absolute position and may attend to
 * every cached key and itself.
 */
public final class KvCacheDecoder implements Decoder {
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
            NDArray logits = model.forward(ids, Attention.cached(manager, past, t), // (1, T, V)
                    LlamaModel.Pass.cached(cache.layers()));
            return logits.get(0, t - 1).toFloatArray();
        }
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

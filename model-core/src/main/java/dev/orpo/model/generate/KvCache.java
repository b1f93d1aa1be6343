package dev.orpo.model.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import dev.orpo.model.llama.LayerKvCache;

import java.util.ArrayList;
import java.util.List;

/**
 * Per-layer keys and values of every position decoded so far, each (B, KVH, P, D), grown by concatenation along the
 * time axis. Stored arrays are taken out of the caller's {@link NDScope} so they outlive a decoding step; the
 * previous step's arrays are closed as soon as the grown ones exist. Close the cache to free the last ones.
 */
public final class KvCache implements AutoCloseable {

    private final List<Layer> layers = new ArrayList<>();

    public KvCache(int numLayers) {
        if (numLayers < 1) {
            throw new IllegalArgumentException("a KV cache needs at least one layer, got " + numLayers);
        }
        for (int i = 0; i < numLayers; i++) {
            layers.add(new Layer());
        }
    }

    /** One cache per decoder layer, in layer order (what {@code LlamaModel.logits(.., caches)} takes). */
    public List<LayerKvCache> layers() {
        return List.copyOf(layers);
    }

    /** Positions cached so far (P); all layers agree. */
    public int length() {
        return layers.get(0).length;
    }

    @Override
    public void close() {
        layers.forEach(Layer::close);
    }

    /** The cache of one layer. */
    private static final class Layer implements LayerKvCache, AutoCloseable {
        private NDArray keys; // (B, KVH, P, D)
        private NDArray values; // (B, KVH, P, D)
        private int length;

        @Override
        public KeysValues append(NDArray newKeys, NDArray newValues) {
            NDArray k = keys == null ? newKeys : NDArrays.concat(new NDList(keys, newKeys), 2); // (B, KVH, P+T, D)
            NDArray v = values == null ? newValues : NDArrays.concat(new NDList(values, newValues), 2); // (B, KVH, P+T, D)
            NDScope.unregister(k, v);
            close();
            keys = k;
            values = v;
            length = Math.toIntExact(k.getShape().get(2));
            return new KeysValues(k, v);
        }

        @Override
        public void close() {
            if (keys != null) {
                keys.close();
                values.close();
                keys = null;
                values = null;
            }
        }
    }
}

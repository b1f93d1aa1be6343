package dev.orpo.model.llama;

import ai.djl.ndarray.NDArray;

/**
 * Keys and values one decoder layer computed for earlier positions, so incremental decoding computes only the new
 * positions. Implementations (e.g. {@code dev.orpo.model.generate.KvCache}) own the stored arrays.
 */
public interface LayerKvCache {

    /** All keys and values of the layer so far, each (B, KVH, P+T, D), rotated keys. */
    record KeysValues(NDArray keys, NDArray values) {
    }

    /**
     * Appends this step's rotated keys and un-repeated values, each (B, KVH, T, D), and returns everything cached
     * (B, KVH, P+T, D), the new positions last.
     */
    KeysValues append(NDArray keys, NDArray values);
}

package dev.orpo.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;

/**
 * A [V, C] table of row vectors, used as the token embedding and (as {@link LmHead}) the output projection. Frozen
 * unless resized or named in {@code modules_to_save}, in which case the whole table trains (PEFT's
 * {@code modules_to_save}).
 */
public final class TokenEmbedding implements AutoCloseable {
    private NDArray weight;
    private boolean trainable;

    public TokenEmbedding(NDArray weight) {
        weight.setRequiresGradient(false);
        this.weight = weight;
    }

    /** ids (B, T) → (B, T, C). */
    public NDArray lookup(NDArray ids) {
        return weight.get(ids);
    }

    public NDArray weight() {
        return weight;
    }

    public long rows() {
        return weight.getShape().get(0);
    }

    public boolean trainable() {
        return trainable;
    }

    /** The whole table receives gradients from now on (PEFT {@code modules_to_save}). */
    public void makeTrainable() {
        weight.setRequiresGradient(true);
        trainable = true;
    }

    /**
     * Grows the table to {@code newRows}: new rows are the mean of the old rows (so new tokens start as an "average"
     * token, as transformers' mean resizing does in expectation); the whole table becomes trainable.
     */
    public void resize(long newRows) {
        long old = rows();
        if (newRows < old) {
            throw new IllegalArgumentException("cannot shrink embeddings from " + old + " to " + newRows + " rows");
        }
        if (newRows == old) {
            return;
        }
        NDArray grown;
        try (NDScope ignored = new NDScope()) {
            NDArray mean = weight.mean(new int[] {0}, true); // (1, C)
            NDArray fresh = mean.broadcast(newRows - old, weight.getShape().get(1)); // (N, C)
            grown = NDArrays.concat(new NDList(weight, fresh), 0).duplicate(); // (V', C)
            NDScope.unregister(grown);
        }
        weight.close();
        weight = grown;
        makeTrainable();
    }

    @Override
    public void close() {
        weight.close();
    }
}

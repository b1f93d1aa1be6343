package dev.orpo.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;

/**
 * The output projection hidden → vocabulary logits: its own [V, C] table, or the token embedding when tied.
 * Kept separate so a chunked loss can project slices of the hidden states instead of materialising (B, T, V).
 */
public final class LmHead implements AutoCloseable {
    private final TokenEmbedding table;
    private final boolean tied;

    LmHead(TokenEmbedding table, boolean tied) {
        this.table = table;
        this.tied = tied;
    }

    /** hidden (..., C) → logits (..., V). */
    public NDArray logits(NDArray hidden) {
        return Linear.linear(hidden, table.weight()).singletonOrThrow();
    }

    /** The [V, C] weight. */
    public NDArray weight() {
        return table.weight();
    }

    /** True when the [V, C] weight receives gradients (a resized vocabulary: PEFT {@code modules_to_save}). */
    public boolean trainable() {
        return table.trainable();
    }

    public boolean tied() {
        return tied;
    }

    TokenEmbedding table() {
        return table;
    }

    @Override
    public void close() {
        if (!tied) {
            table.close();
        }
    }
}

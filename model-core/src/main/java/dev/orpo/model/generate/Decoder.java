package dev.orpo.model.generate;

/**
 * Next-token logits of one growing sequence (batch 1): feed the prompt once, then one token at a time. Each call
 * returns the logits (V) at the last position, i.e. the distribution of the token that follows.
 */
public interface Decoder extends AutoCloseable {

    /** Starts the sequence with {@code promptIds} (not empty); returns the logits after the last prompt token. */
    float[] prefill(int[] promptIds);

    /** Appends {@code tokenId}; returns the logits after it. */
    float[] next(int tokenId);

    /** Tokens in the sequence so far. */
    int length();

    /** The most tokens the model takes ({@code max_position_embeddings}). */
    int maxLength();

    @Override
    void close();
}

package dev.orpo.model.generate;

/**
 * What one generation produced.
 *
 * @param tokens  the new token ids, without the stop token
 * @param reason  why it stopped
 * @param stopId  the stop token that ended it, or -1
 */
public record GenerationResult(int[] tokens, StopReason reason, int stopId) {

    /** Why generation ended. */
    public enum StopReason {
        /** A stop id was generated. */
        STOP_TOKEN,
        /** {@code maxNewTokens} were generated. */
        MAX_NEW_TOKENS,
        /** The sequence reached the model's maximum positions. */
        CONTEXT_FULL
    }
}

package dev.orpo.model.generate;

import dev.orpo.model.generate.GenerationResult.StopReason;

/**
 * One prompt's generated reply.
 *
 * @param prompt     the user message as given
 * @param reply      the new tokens decoded, special tokens skipped
 * @param tokens     the new token ids (without the stop token)
 * @param stopReason why generation ended
 */
public record PromptSample(String prompt, String reply, int[] tokens, StopReason stopReason) {

    public PromptSample {
        if (prompt == null || reply == null || tokens == null || stopReason == null) {
            throw new IllegalArgumentException("prompt, reply, tokens and stop reason are required");
        }
        tokens = tokens.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }
}

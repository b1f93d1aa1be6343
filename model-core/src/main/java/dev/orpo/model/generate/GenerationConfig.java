package dev.orpo.model.generate;

import java.util.Set;

/**
 * When generation stops and how tokens are picked.
 *
 * @param maxNewTokens at most this many new tokens (a generated stop id ends earlier and is not returned); no default:
 *                     EvalSpec uses 64
 * @param stopIds      ids that end generation: the model's EOS list, {@code <|eot_id|>}, {@code <|im_end|>}, ... as
 *                     ids (callers look them up in their tokenizer); may be empty
 * @param sampling     greedy or sampled decoding
 */
public record GenerationConfig(int maxNewTokens, Set<Integer> stopIds, SamplingConfig sampling) {

    public GenerationConfig {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max new tokens must be >= 1, got " + maxNewTokens);
        }
        if (stopIds == null || sampling == null) {
            throw new IllegalArgumentException("stop ids and sampling are required (use Set.of() / GREEDY)");
        }
        stopIds = Set.copyOf(stopIds);
    }
}

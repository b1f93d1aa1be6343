package dev.orpo.model.score;

import ai.djl.ndarray.NDArray;
import dev.orpo.model.llama.Attention;

/**
 * The forward pass the scorer needs: next-token logits of a batch laid out as {@code attention} says. Implementations
 * must honour the attention bias (a position's logits depend only on the keys it may see), so padding never changes
 * real positions.
 */
@FunctionalInterface
public interface CausalLm {

    /**
     * @param inputIds  (R, T) int64 token ids
     * @param attention rotary positions and attention bias of the tokens
     * @return (R, T, V) logits
     */
    NDArray logits(NDArray inputIds, Attention attention);
}

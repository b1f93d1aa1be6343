package dev.orpo.model.score;

import ai.djl.ndarray.NDArray;

/**
 * The forward pass the scorer needs: next-token logits for a right-padded batch. Implementations must be causal
 * (a position's logits depend only on itself and earlier tokens) so padding never changes real positions.
 */
@FunctionalInterface
public interface CausalLm {

    /**
     * @param inputIds      (R, T) int64 token ids
     * @param attentionMask (R, T) int64, 1 on real tokens
     * @param positionIds   (R, T) int64 positions
     * @return (R, T, V) logits
     */
    NDArray logits(NDArray inputIds, NDArray attentionMask, NDArray positionIds);
}

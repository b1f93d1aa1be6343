package dev.orpo.model.llama;

import ai.djl.ndarray.NDArray;
import dev.orpo.model.tensor.ComputeDType;

/**
 * Decides which keys each query may attend to, as an additive bias: 0 where allowed, a large negative number where
 * not. A seam: plain causal+padding today, prompt-sharing (chosen and rejected after one shared prompt) later.
 */
public interface AttentionMask {

    /**
     * @param attentionMask (B, T), 1 for real tokens and 0 for padding
     * @param positionIds   (B, T) rotary positions of the tokens
     * @return (B, 1, T, T) additive bias in {@link ComputeDType#TYPE}
     */
    NDArray bias(NDArray attentionMask, NDArray positionIds);
}

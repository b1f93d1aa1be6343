package dev.orpo.model.lora;

import ai.djl.ndarray.NDArray;

/**
 * The frozen base weight W [out, in] of a linear layer, never trained. Dense fp32 today; a quantized (NF4) weight
 * implements the same contract by dequantizing inside {@link #apply}.
 */
public interface FrozenWeight extends AutoCloseable {

    /** {@code x Wᵀ} for x of shape (..., in) → (..., out). */
    NDArray apply(NDArray x);

    long inFeatures();

    long outFeatures();

    /** Bytes of native memory this weight holds between calls (what {@link #apply} materialises is not counted). */
    long bytesHeld();

    @Override
    void close();
}

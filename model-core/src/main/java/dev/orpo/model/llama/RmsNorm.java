package dev.orpo.model.llama;

import ai.djl.ndarray.NDArray;
import dev.orpo.model.tensor.HostArrays;

/** Root-mean-square layer norm: {@code w ⊙ x / √(mean(x²) + ε)} over the last axis (HF LlamaRMSNorm). */
public final class RmsNorm implements AutoCloseable {
    private final NDArray weight;
    private final double eps;

    public RmsNorm(NDArray weight, double eps) {
        weight.setRequiresGradient(false);
        this.weight = weight;
        this.eps = eps;
    }

    /** (..., C) → (..., C). */
    public NDArray forward(NDArray x) {
        NDArray rms = x.square().mean(new int[] {-1}, true).add(HostArrays.scalar(x, (float) eps)).sqrt(); // (..., 1)
        return x.div(rms).mul(weight);
    }

    @Override
    public void close() {
        weight.close();
    }
}

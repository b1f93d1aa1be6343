package dev.orpo.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.orpo.model.tensor.ComputeDType;

/**
 * Standard decoder mask: query i sees key j iff j ≤ i (token order) and key j is not padding. Rows of padding queries
 * stay finite (a finite "minus infinity" is used), so no NaN appears; their outputs are garbage and must be ignored.
 * Position ids are not needed here: within one sequence token order and position order agree.
 */
public final class CausalPaddingMask implements AttentionMask {
    /** Added to disallowed scores; finite so fully masked rows give a uniform softmax instead of NaN. */
    static final float MASKED = -1e9f;

    @Override
    public NDArray bias(NDArray attentionMask, NDArray positionIds) {
        NDManager m = attentionMask.getManager();
        long t = attentionMask.getShape().get(1);
        NDArray idx = m.arange(0, (int) t, 1, ai.djl.ndarray.types.DataType.INT64);
        NDArray causal = idx.reshape(1, t).lte(idx.reshape(t, 1)); // (T, T): key j ≤ query i
        NDArray keyIsReal = attentionMask.gt(0).expandDims(1).expandDims(1); // (B, 1, 1, T)
        NDArray allowed = causal.logicalAnd(keyIsReal); // (B, 1, T, T)
        return allowed.toType(ComputeDType.TYPE, false).sub(1f).mul(-MASKED);
    }
}

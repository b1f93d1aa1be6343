package dev.orpo.model.tensor;

import ai.djl.ndarray.types.DataType;

/**
 * The one place that fixes the compute dtype: fp32. On this CPU fp16 matmul runs at ~1 GFLOP/s and bf16 aborts the
 * JVM inside DJL (see FACTS), so weights of any stored dtype are widened to fp32 when loaded.
 */
public final class ComputeDType {
    public static final DataType TYPE = DataType.FLOAT32;

    private ComputeDType() {
    }
}

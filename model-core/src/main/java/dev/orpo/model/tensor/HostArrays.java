package dev.orpo.model.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Host (Java) data → native arrays that own their memory. On CPU, DJL's {@code NDManager.create} wraps a direct
 * ByteBuffer with {@code torch::from_blob} and only the Java wrapper keeps that buffer alive; any native alias that
 * outlives the wrapper (a same-dtype {@code toType}, a view, an autograd-saved tensor) then reads freed memory once
 * the GC collects the buffer. Observed here as random NaNs/garbage after some training steps under G1 and never under
 * Epsilon GC. A {@code duplicate()} makes PyTorch own the copy; {@code toType(FLOAT32, true)} on an fp32 array does
 * <em>not</em> copy (it returns an alias: values read back as garbage after the staging array is closed and GC runs).
 */
public final class HostArrays {
    private HostArrays() {
    }

    /** A native-owned fp32 array with {@code data} in row-major order. */
    public static NDArray floats(NDManager manager, float[] data, Shape shape) {
        if (ComputeDType.TYPE != ai.djl.ndarray.types.DataType.FLOAT32) {
            throw new IllegalStateException("host data is fp32; convert after copying for " + ComputeDType.TYPE);
        }
        try (NDArray staged = manager.create(data, shape)) {
            return staged.duplicate(); // toType(same dtype, copy=true) would return an alias of the buffer
        }
    }

    /** Overwrites {@code target} in place with {@code data} (same shape), by a native copy. */
    public static void copyInto(NDArray target, float[] data) {
        try (NDArray src = floats(target.getManager(), data, target.getShape())) {
            target.set(new ai.djl.ndarray.index.NDIndex("..."), src);
        }
    }

    /**
     * A native-owned 0-d scalar like {@code like}'s dtype, for arithmetic on tensors that carry gradients. DJL's
     * {@code mul(Number)}/{@code div(Number)} wrap the number with {@code from_blob} and close it right after the op,
     * but autograd keeps that scalar for the backward pass (MulBackward/DivBackward save it): once the GC frees the
     * buffer, gradients read garbage (seen as NaN or exploding LoRA factors, and libc crashes).
     */
    public static NDArray scalar(NDArray like, float value) {
        return like.getManager().full(new Shape(), value, like.getDataType());
    }

    /** {@link #scalar(NDArray, float)} keeping double precision when {@code like} is float64. */
    public static NDArray scalar(NDArray like, double value) {
        if (like.getDataType() != ai.djl.ndarray.types.DataType.FLOAT64) {
            return scalar(like, (float) value);
        }
        try (NDArray staged = like.getManager().create(value)) {
            return staged.duplicate();
        }
    }

    /** A native-owned int64 array. */
    public static NDArray longs(NDManager manager, long[][] data) {
        try (NDArray staged = manager.create(data)) {
            return staged.duplicate();
        }
    }
}

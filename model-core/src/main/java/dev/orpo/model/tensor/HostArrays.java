package dev.orpo.model.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;

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

    /** 256 Mi floats (1 GiB) per host-to-native copy. */
    static final long MAX_COPY_VALUES = 1L << 28;

    /** A native-owned fp32 array with {@code data} in row-major order. */
    public static NDArray floats(NDManager manager, float[] data, Shape shape) {
        return floats(manager, data, shape, MAX_COPY_VALUES);
    }

    /**
     * {@link #floats(NDManager, float[], Shape)} in copies of at most {@code maxCopyValues}. DJL stages a copy in one
     * direct ByteBuffer (≤ 2 GB), too small for e.g. Qwen2-7B's 152064 × 3584 embedding, so large tensors go over in
     * blocks of rows and are concatenated.
     */
    static NDArray floats(NDManager manager, float[] data, Shape shape, long maxCopyValues) {
        if (ComputeDType.TYPE != ai.djl.ndarray.types.DataType.FLOAT32) {
            throw new IllegalStateException("host data is fp32; convert after copying for " + ComputeDType.TYPE);
        }
        if (data.length <= maxCopyValues || shape.dimension() == 0 || shape.get(0) < 2) {
            try (NDArray staged = manager.create(data, shape)) {
                return staged.duplicate(); // toType(same dtype, copy=true) would return an alias of the buffer
            }
        }
        long rowValues = data.length / shape.get(0);
        int rowsPerCopy = (int) Math.max(1, maxCopyValues / rowValues);
        try (NDList blocks = new NDList()) {
            for (int row = 0; row < shape.get(0); row += rowsPerCopy) {
                int rows = (int) Math.min(rowsPerCopy, shape.get(0) - row);
                long[] blockShape = shape.getShape().clone();
                blockShape[0] = rows;
                float[] part = Arrays.copyOfRange(data, (int) (row * rowValues), (int) ((row + rows) * rowValues));
                blocks.add(floats(manager, part, new Shape(blockShape), Long.MAX_VALUE));
            }
            return NDArrays.concat(blocks, 0);
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

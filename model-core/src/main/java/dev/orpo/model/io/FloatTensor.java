package dev.orpo.model.io;

import java.util.Arrays;

/** A row-major fp32 tensor held on the heap; small tensors only (adapters, tests). */
public record FloatTensor(long[] shape, float[] data) {

    public FloatTensor {
        shape = shape.clone();
        if (TensorInfo.numel(shape) != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds "
                    + TensorInfo.numel(shape) + " elements but data has " + data.length);
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** A new tensor of zeros. */
    public static FloatTensor zeros(long... shape) {
        return new FloatTensor(shape, new float[Math.toIntExact(TensorInfo.numel(shape))]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FloatTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "FloatTensor" + Arrays.toString(shape);
    }
}

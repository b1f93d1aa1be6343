package dev.orpo.model.io;

import java.util.Set;

/**
 * Named tensors to load weights from: a (possibly sharded) safetensors checkpoint, or an in-memory map in tests.
 * Values come back as fp32 whatever the stored dtype (BF16/F16 are widened in Java; DJL aborts on BF16).
 */
public interface TensorSource extends AutoCloseable {
    Set<String> names();

    /** Shape in row-major order, e.g. {@code [out, in]} for a linear weight. */
    long[] shape(String name);

    /** The tensor as fp32, row-major. Throws IllegalArgumentException naming the tensor if it is absent. */
    float[] readFloats(String name);

    @Override
    default void close() {
    }
}

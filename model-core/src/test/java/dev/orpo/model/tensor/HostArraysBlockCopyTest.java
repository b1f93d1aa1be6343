package dev.orpo.model.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class HostArraysBlockCopyTest {

    @Test
    void largeTensorsCopiedInRowBlocksEqualOneCopy() {
        float[] data = new float[7 * 5];
        for (int i = 0; i < data.length; i++) {
            data[i] = i * 0.5f;
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray blocks = HostArrays.floats(manager, data, new Shape(7, 5), 10); // 2 rows per block
            assertEquals(new Shape(7, 5), blocks.getShape());
            assertArrayEquals(data, blocks.toFloatArray());
        }
    }
}

package dev.orpo.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Arrays built from Java data must own their memory: their staging buffer may be collected at any time. */
class HostArraysTest {

    @Test
    void arraysFromHostDataKeepTheirValuesAfterTheStagingBufferIsCollected() {
        float[] data = new float[1 << 16];
        Arrays.fill(data, 1f);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray owned = HostArrays.floats(manager, data, new Shape(256, 256));
            NDArray target = manager.zeros(new Shape(256, 256));
            HostArrays.copyInto(target, data);
            churnGarbageAndDirectMemory();
            assertArrayEquals(data, owned.toFloatArray());
            assertArrayEquals(data, target.toFloatArray());
        }
    }

    /** Collects unreachable direct buffers and hands their memory out again, overwritten. */
    private static void churnGarbageAndDirectMemory() {
        for (int round = 0; round < 5; round++) {
            System.gc();
            for (int j = 0; j < 20; j++) {
                ByteBuffer b = ByteBuffer.allocateDirect(1 << 18);
                for (int k = 0; k < b.capacity(); k += 4096) {
                    b.put(k, (byte) 7);
                }
            }
        }
    }
}

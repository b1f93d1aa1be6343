package dev.orpo.model.llama;

import java.nio.ByteBuffer;

/** Test helper: collects unreachable direct buffers and hands their memory out again, overwritten. */
public final class GcChurn {
    private GcChurn() {
    }

    /** Call between forward and backward: anything autograd saved must not live in collectable buffers. */
    public static void collectAndReuseDirectMemory() {
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

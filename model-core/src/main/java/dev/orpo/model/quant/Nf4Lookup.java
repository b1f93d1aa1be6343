package dev.orpo.model.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.orpo.model.tensor.HostArrays;

/**
 * The code books as native fp32 arrays, shared by all {@link Nf4Weight}s of one model: {@code pairs} (256, 2) maps a
 * packed byte to its two NF4 values (high nibble first), {@code dynamic} (256) is the 8-bit scale code book.
 */
public final class Nf4Lookup implements AutoCloseable {
    private final NDArray pairs;
    private final NDArray dynamic;

    public Nf4Lookup(NDManager manager) {
        float[] nf4 = Nf4Codes.nf4Table();
        float[] table = new float[512];
        for (int b = 0; b < 256; b++) {
            table[2 * b] = nf4[b >>> 4];
            table[2 * b + 1] = nf4[b & 0xF];
        }
        this.pairs = HostArrays.floats(manager, table, new Shape(256, 2));
        this.dynamic = HostArrays.floats(manager, Nf4Codes.dynamicTable(), new Shape(256));
    }

    NDArray pairs() {
        return pairs;
    }

    NDArray dynamic() {
        return dynamic;
    }

    /** Bytes of both tables (3 KiB, once per model). */
    public long bytesHeld() {
        return 4L * (pairs.size() + dynamic.size());
    }

    @Override
    public void close() {
        pairs.close();
        dynamic.close();
    }
}

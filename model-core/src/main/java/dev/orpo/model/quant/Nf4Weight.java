package dev.orpo.model.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.orpo.model.lora.FrozenWeight;
import dev.orpo.model.tensor.HostArrays;

import java.nio.ByteBuffer;

/**
 * A frozen weight W [out, in] held as NF4 codes (uint8, two per byte) and block scales (fp32, or 8-bit codes plus one
 * fp32 maximum per 256 blocks and an offset when double-quantized). {@link #apply} dequantizes W to fp32 for the one
 * call and closes it after the matmul, as bitsandbytes' Linear4bit does with its compute dtype.
 *
 * <p>Under training, autograd keeps the dequantized W of each layer alive until the backward pass (it is needed for the
 * input gradient): on its own the 4-bit saving is in what the model holds between steps, not in a step's peak. With
 * gradient checkpointing ({@code dev.orpo.model.train.MicroBatchStep}) only the layer being recomputed holds its
 * dequantized weights, so the peak drops too.
 */
public final class Nf4Weight implements FrozenWeight {
    private final long out;
    private final long in;
    private final int blockSize;
    private final int blocks;
    private final Nf4Lookup lookup;
    private final NDArray packed; // (blocks · blockSize / 2) uint8, padded with zero codes to whole blocks
    private final NDArray absmax; // (blocks) fp32, or null
    private final NDArray scaleCodes; // (groups · 256) uint8, padded, or null
    private final NDArray groupAbsmax; // (groups) fp32, or null
    private final NDArray offset; // () fp32, or null

    /** Uploads {@code q} (shape [out, in]) to {@code manager}; {@code lookup} is shared and not closed here. */
    public Nf4Weight(NDManager manager, Nf4Tensor q, Nf4Lookup lookup) {
        if (q.shape().length != 2) {
            throw new IllegalArgumentException("linear weight must be 2-D [out, in], got " + q.shape().length + "-D");
        }
        this.out = q.shape()[0];
        this.in = q.shape()[1];
        this.blockSize = q.blockSize();
        this.blocks = q.blocks();
        this.lookup = lookup;
        byte[] codes = java.util.Arrays.copyOf(q.packed(), blocks * blockSize / 2);
        for (int i = q.packed().length; i < codes.length; i++) {
            codes[i] = (byte) (Nf4Codes.ZERO << 4 | Nf4Codes.ZERO);
        }
        this.packed = bytes(manager, codes);
        if (q.doubleQuantized()) {
            Nf4Tensor.QuantizedScales s = q.scales();
            int groups = s.groupAbsmax().length;
            this.scaleCodes = bytes(manager, java.util.Arrays.copyOf(s.codes(), groups * Nf4Config.SCALE_GROUP));
            this.groupAbsmax = HostArrays.floats(manager, s.groupAbsmax(), new Shape(groups));
            this.offset = HostArrays.floats(manager, new float[] {s.offset()}, new Shape());
            this.absmax = null;
        } else {
            this.absmax = HostArrays.floats(manager, q.absmax(), new Shape(blocks));
            this.scaleCodes = null;
            this.groupAbsmax = null;
            this.offset = null;
        }
    }

    @Override
    public NDArray apply(NDArray x) {
        try (NDArray w = dequantize()) {
            return Linear.linear(x, w).singletonOrThrow();
        }
    }

    /**
     * W as fp32 (out, in): NF4[code] · block scale; the caller closes it. Transient peak: the int64 byte indices plus
     * the fp32 result (≈ 8 bytes per weight), the indices freed before the scaling, which is done in place.
     */
    public NDArray dequantize() {
        NDArray values;
        try (NDArray idx = packed.toType(DataType.INT64, false)) { // (blocks·blockSize/2) byte values
            values = lookup.pairs().get(idx); // (blocks·blockSize/2, 2) two NF4 values per byte
        }
        try (NDArray scales = blockScales(); // (blocks)
             NDArray blocked = values.reshape(blocks, blockSize); // (blocks, blockSize) view
             NDArray column = scales.reshape(blocks, 1); // (blocks, 1)
             NDArray flat = values.reshape(-1)) { // (blocks·blockSize) view
            blocked.muli(column); // no gradient flows into a frozen weight: in place is safe
            long n = out * in;
            if (flat.size() == n) {
                return flat.reshape(out, in); // (out, in)
            }
            try (NDArray trimmed = flat.get("0:{}", n)) {
                return trimmed.reshape(out, in); // (out, in)
            }
        } finally {
            values.close();
        }
    }

    /** Per-block scales (blocks): absmax, or dynamic[code] · group absmax + offset. */
    private NDArray blockScales() {
        if (absmax != null) {
            return absmax.duplicate();
        }
        long groups = groupAbsmax.size();
        try (NDArray idx = scaleCodes.toType(DataType.INT64, false); // (groups·256)
             NDArray codes = lookup.dynamic().get(idx); // (groups·256)
             NDArray grouped = codes.reshape(groups, Nf4Config.SCALE_GROUP); // (groups, 256)
             NDArray scaled = grouped.mul(groupAbsmax.reshape(groups, 1)); // (groups, 256)
             NDArray flat = scaled.reshape(-1); // (groups·256)
             NDArray used = flat.get("0:{}", blocks)) { // (blocks)
            return used.add(offset);
        }
    }

    private static NDArray bytes(NDManager manager, byte[] data) {
        ByteBuffer buffer = manager.allocateDirect(data.length);
        buffer.put(data).rewind();
        try (NDArray staged = manager.create(buffer, new Shape(data.length), DataType.UINT8)) {
            return staged.duplicate(); // native-owned copy (see HostArrays)
        }
    }

    @Override
    public long inFeatures() {
        return in;
    }

    @Override
    public long outFeatures() {
        return out;
    }

    /** Codes and scales; the shared {@link Nf4Lookup} is counted once per model, not here. */
    @Override
    public long bytesHeld() {
        long held = packed.size();
        if (absmax != null) {
            return held + 4 * absmax.size();
        }
        return held + scaleCodes.size() + 4 * groupAbsmax.size() + 4;
    }

    @Override
    public void close() {
        packed.close();
        for (NDArray a : new NDArray[] {absmax, scaleCodes, groupAbsmax, offset}) {
            if (a != null) {
                a.close();
            }
        }
    }
}

package dev.orpo.model.quant;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * bitsandbytes' 8-bit dynamic data type and its block-wise quantization, as its 8-bit optimizers keep their states
 * ({@code create_dynamic_map}, {@code quantize_blockwise}, {@code dequantize_blockwise}).
 *
 * <p>The maps ({@code create_dynamic_map(signed, max_exponent_bits=7, total_bits=8)}): for decades 10⁻⁶ … 10⁰ the
 * midpoints of {@code linspace(0.1, 1, k + 1)}, k = 2ⁱ signed (with both signs) or 2ⁱ⁺¹ unsigned, plus 0 and 1,
 * sorted: 256 values, dense near zero, computed in fp32 as PyTorch's {@code linspace} does, so they match bitsandbytes
 * bit for bit. Quantization, per block of {@link #BLOCK} values: absmax = max |x|; a full block is scaled by
 * {@code 1 / max(absmax, 1e-38)}, a short last block divided by it; clamped to [-1, 1]; the code is the bucket of the
 * midpoints between adjacent codes (a value on a midpoint takes the lower code), as bitsandbytes' default backend.
 */
public final class DynamicQuantization {
    /** Values per absmax: 256, bitsandbytes' block size for optimizer states since 0.44 (2048 before). */
    public static final int BLOCK = 256;
    /** From this many blocks (1 Mi values) on, blocks are quantized on the common pool. */
    private static final int PARALLEL_BLOCKS = 4096;

    private static final float[] SIGNED = map(true);
    private static final float[] UNSIGNED = map(false);
    private static final float[] SIGNED_BOUNDS = midpoints(SIGNED);
    private static final float[] UNSIGNED_BOUNDS = midpoints(UNSIGNED);

    private DynamicQuantization() {
    }

    /** The signed map (first moments; NF4's double-quantized scales), ascending; a copy. */
    public static float[] signedMap() {
        return SIGNED.clone();
    }

    /** The unsigned map (second moments), ascending; a copy. */
    public static float[] unsignedMap() {
        return UNSIGNED.clone();
    }

    static float[] signedTable() {
        return SIGNED;
    }

    /** Number of absmax values for {@code n} values. */
    public static int blocks(int n) {
        return (n + BLOCK - 1) / BLOCK;
    }

    /**
     * Quantizes {@code x} block by block into {@code codes} (one byte per value, an index into the map) and
     * {@code absmax} (one per block); blocks are independent and go to the common pool.
     */
    public static void quantize(float[] x, boolean signed, byte[] codes, float[] absmax) {
        float[] bounds = signed ? SIGNED_BOUNDS : UNSIGNED_BOUNDS;
        int blocks = blocks(x.length);
        IntStream range = IntStream.range(0, blocks);
        (blocks >= PARALLEL_BLOCKS ? range.parallel() : range).forEach(b -> {
            int from = b * BLOCK;
            int to = Math.min(x.length, from + BLOCK);
            float max = 0f;
            for (int i = from; i < to; i++) {
                max = Math.max(max, Math.abs(x[i]));
            }
            absmax[b] = max;
            float divisor = Math.max(max, 1e-38f);
            boolean full = to - from == BLOCK;
            float inv = 1f / divisor; // full blocks multiply by the reciprocal, a short one divides, as bitsandbytes
            for (int i = from; i < to; i++) {
                float s = Math.max(-1f, Math.min(1f, full ? x[i] * inv : x[i] / divisor));
                codes[i] = (byte) bucket(bounds, s);
            }
        });
    }

    /** {@code out[i] = map[codes[i]] · absmax[block of i]}. */
    public static void dequantize(byte[] codes, float[] absmax, boolean signed, float[] out) {
        float[] map = signed ? SIGNED : UNSIGNED;
        for (int i = 0; i < out.length; i++) {
            out[i] = map[codes[i] & 0xFF] * absmax[i / BLOCK];
        }
    }

    /** {@code torch.bucketize(s, bounds)}: the number of bounds strictly below {@code s}. */
    private static int bucket(float[] bounds, float s) {
        int lo = 0;
        int hi = bounds.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (bounds[mid] < s) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static float[] midpoints(float[] code) {
        float[] out = new float[code.length - 1];
        for (int i = 0; i < out.length; i++) {
            out[i] = (code[i] + code[i + 1]) / 2f;
        }
        return out;
    }

    private static float[] map(boolean signed) {
        float[] decades = {1e-6f, 1e-5f, 1e-4f, 1e-3f, 1e-2f, 1e-1f, 1f};
        float[] data = new float[256];
        int n = 0;
        for (int i = 0; i < decades.length; i++) {
            float[] b = linspace(0.1f, 1f, (signed ? 1 << i : 1 << (i + 1)) + 1);
            for (int k = 0; k + 1 < b.length; k++) {
                float mean = (b[k] + b[k + 1]) / 2f;
                data[n++] = decades[i] * mean;
                if (signed) {
                    data[n++] = -decades[i] * mean;
                }
            }
        }
        data[n++] = 0f;
        data[n++] = 1f;
        if (n != 256) {
            throw new IllegalStateException("dynamic map has " + n + " values");
        }
        Arrays.sort(data);
        return data;
    }

    /** PyTorch's fp32 linspace: start + step·i in the first half, end − step·(steps − 1 − i) in the second. */
    private static float[] linspace(float start, float end, int steps) {
        float step = (end - start) / (steps - 1);
        float[] out = new float[steps];
        int halfway = steps / 2;
        for (int i = 0; i < steps; i++) {
            out[i] = i < halfway ? start + step * i : end - step * (steps - i - 1);
        }
        return out;
    }
}

package dev.orpo.model.quant;

import java.util.Arrays;

/**
 * A tensor in bitsandbytes' NF4 layout, on the Java heap: two 4-bit codes per byte (first value in the high nibble;
 * an odd count padded with the zero code) and one scale per block of {@code blockSize} consecutive row-major values,
 * either fp32 ({@code absmax}) or double-quantized ({@code scales}).
 *
 * @param shape     the original shape
 * @param blockSize values per scale
 * @param packed    ⌈n / 2⌉ bytes of codes
 * @param absmax    per-block max |x| (fp32), or null when double-quantized
 * @param scales    the 8-bit quantized per-block absmax, or null when plain
 */
public record Nf4Tensor(long[] shape, int blockSize, byte[] packed, float[] absmax, QuantizedScales scales) {

    /**
     * Double quantization of the block scales: {@code absmax[b] ≈ DYNAMIC[codes[b]] · groupAbsmax[b / 256] + offset}.
     *
     * @param codes       one 8-bit dynamic-map code per block
     * @param groupAbsmax max |absmax − offset| per group of {@link Nf4Config#SCALE_GROUP} blocks
     * @param offset      mean of the absmax values
     */
    public record QuantizedScales(byte[] codes, float[] groupAbsmax, float offset) {
        /** The dequantized per-block scales (fp32, as bitsandbytes: code · groupAbsmax, then + offset). */
        public float[] dequantize() {
            float[] dynamic = Nf4Codes.dynamicTable();
            float[] out = new float[codes.length];
            for (int b = 0; b < codes.length; b++) {
                out[b] = dynamic[codes[b] & 0xFF] * groupAbsmax[b / Nf4Config.SCALE_GROUP] + offset;
            }
            return out;
        }
    }

    public Nf4Tensor {
        if ((absmax == null) == (scales == null)) {
            throw new IllegalArgumentException("exactly one of absmax / quantized scales");
        }
    }

    /** Number of values. */
    public long size() {
        return Arrays.stream(shape).reduce(1, Math::multiplyExact);
    }

    /** Number of scale blocks. */
    public int blocks() {
        return Math.toIntExact((size() + blockSize - 1) / blockSize);
    }

    public boolean doubleQuantized() {
        return scales != null;
    }

    /** The per-block scales the codes are multiplied by. */
    public float[] blockScales() {
        return absmax != null ? absmax : scales.dequantize();
    }

    /** The fp32 values this tensor stands for: NF4[code] · scale of its block. */
    public float[] dequantize() {
        float[] scale = blockScales();
        int n = Math.toIntExact(size());
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            int b = packed[i >> 1] & 0xFF;
            int code = (i & 1) == 0 ? b >>> 4 : b & 0xF;
            out[i] = Nf4Codes.nf4(code) * scale[i / blockSize];
        }
        return out;
    }

    /** Bytes of codes and scales (codes + fp32 absmax, or codes + 8-bit scales + fp32 group maxima + offset). */
    public long bytes() {
        long scaleBytes = absmax != null ? 4L * absmax.length
                : scales.codes().length + 4L * scales.groupAbsmax().length + 4;
        return packed.length + scaleBytes;
    }
}

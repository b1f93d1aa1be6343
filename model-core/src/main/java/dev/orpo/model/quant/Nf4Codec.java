package dev.orpo.model.quant;

import java.util.stream.IntStream;

/**
 * bitsandbytes' NF4 quantization ({@code quantize_4bit(quant_type="nf4")}, with {@code compress_statistics} for double
 * quantization), in Java on host arrays.
 *
 * <p>Per block of {@code blockSize} values: absmax = max |x|; each x·(1/absmax), clamped to [-1, 1], becomes the index
 * of the nearest NF4 code. Double quantization then centres the absmax values on their mean and quantizes them the same
 * way with the 8-bit dynamic map in blocks of 256. An all-zero block gets absmax 0 and zero codes (bitsandbytes divides
 * by zero there).
 */
public final class Nf4Codec {
    private Nf4Codec() {
    }

    /** Quantizes row-major {@code values} of {@code shape}; non-finite values are refused naming their index. */
    public static Nf4Tensor quantize(float[] values, long[] shape, Nf4Config config) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        if (n != values.length) {
            throw new IllegalArgumentException(values.length + " values do not fill shape "
                    + java.util.Arrays.toString(shape));
        }
        byte[] packed = new byte[(values.length + 1) / 2];
        float[] absmax = blockwise(values, Nf4Codes.nf4Table(), config.blockSize(), (i, code) -> {
            if ((i & 1) == 0) {
                packed[i >> 1] = (byte) (code << 4);
            } else {
                packed[i >> 1] |= (byte) code;
            }
        });
        if ((values.length & 1) == 1) {
            packed[packed.length - 1] |= (byte) Nf4Codes.ZERO; // padding value 0.0
        }
        if (!config.doubleQuant()) {
            return new Nf4Tensor(shape.clone(), config.blockSize(), packed, absmax, null);
        }
        return new Nf4Tensor(shape.clone(), config.blockSize(), packed, null, quantizeScales(absmax));
    }

    /** Double quantization: absmax − mean(absmax) in 8-bit dynamic-map blocks of 256. */
    static Nf4Tensor.QuantizedScales quantizeScales(float[] absmax) {
        double sum = 0;
        for (float a : absmax) {
            sum += a;
        }
        float offset = (float) (sum / absmax.length);
        float[] centred = new float[absmax.length];
        for (int b = 0; b < absmax.length; b++) {
            centred[b] = absmax[b] - offset;
        }
        byte[] codes = new byte[absmax.length];
        float[] groupAbsmax = blockwise(centred, Nf4Codes.dynamicTable(), Nf4Config.SCALE_GROUP,
                (i, code) -> codes[i] = (byte) code);
        return new Nf4Tensor.QuantizedScales(codes, groupAbsmax, offset);
    }

    /** Receives the code of value i. */
    interface CodeSink {
        void put(int i, int code);
    }

    /**
     * Blockwise absmax quantization to the nearest entry of {@code code}; returns the per-block absmax. Blocks are
     * independent (and an even block size keeps them in whole bytes), so runs of blocks go to the common pool.
     */
    static float[] blockwise(float[] x, float[] code, int blockSize, CodeSink sink) {
        int blocks = (x.length + blockSize - 1) / blockSize;
        float[] absmax = new float[blocks];
        int blocksPerTask = Math.max(1, (1 << 16) / blockSize); // 64 Ki values per task
        int tasks = (blocks + blocksPerTask - 1) / blocksPerTask;
        IntStream.range(0, tasks).parallel().forEach(t -> {
            for (int b = t * blocksPerTask; b < Math.min(blocks, (t + 1) * blocksPerTask); b++) {
                absmax[b] = block(x, b * blockSize, Math.min(x.length, (b + 1) * blockSize), code, sink);
            }
        });
        return absmax;
    }

    /** One block [from, to): its absmax, and each x·(1/absmax) clamped to [-1, 1] as its nearest code. */
    private static float block(float[] x, int from, int to, float[] code, CodeSink sink) {
        float max = 0f;
        for (int i = from; i < to; i++) {
            if (!Float.isFinite(x[i])) {
                throw new IllegalArgumentException("value " + i + " is " + x[i] + ": cannot quantize");
            }
            max = Math.max(max, Math.abs(x[i]));
        }
        float inv = 1f / max; // as bitsandbytes: x · (1/absmax), not x / absmax
        for (int i = from; i < to; i++) {
            float s = max == 0f ? 0f : Math.max(-1f, Math.min(1f, x[i] * inv));
            sink.put(i, Nf4Codes.nearest(code, s));
        }
        return max;
    }
}

package dev.orpo.model.io;

import java.nio.ByteBuffer;

/** Converts tensor elements of a {@link DType} between little-endian bytes and fp32 arrays, both ways. */
final class DTypeCodec {
    private DTypeCodec() {
    }

    /** Decodes {@code n} elements from the start of {@code src} into {@code dst[at..at+n)}. */
    static void decode(DType dtype, ByteBuffer src, float[] dst, int at, int n) {
        switch (dtype) {
            case F32 -> src.asFloatBuffer().get(0, dst, at, n);
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    dst[at + i] = HalfFloats.bf16ToFloat(src.getShort(2 * i));
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    dst[at + i] = HalfFloats.f16ToFloat(src.getShort(2 * i));
                }
            }
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    dst[at + i] = (float) src.getDouble(8 * i);
                }
            }
            default -> throw new IllegalArgumentException(dtype + " is not a floating type");
        }
    }

    /** Encodes {@code src[at..at+n)} as {@code dtype} at the start of {@code dst} (little-endian). */
    static void encode(DType dtype, float[] src, int at, int n, ByteBuffer dst) {
        switch (dtype) {
            case F32 -> dst.asFloatBuffer().put(0, src, at, n);
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    dst.putShort(2 * i, HalfFloats.floatToBf16(src[at + i]));
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    dst.putShort(2 * i, HalfFloats.floatToF16(src[at + i]));
                }
            }
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    dst.putDouble(8 * i, src[at + i]);
                }
            }
            default -> throw new IllegalArgumentException("cannot write fp32 values as " + dtype);
        }
    }
}

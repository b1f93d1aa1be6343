package dev.orpo.model.io;

/**
 * Conversions between fp32 and the 16-bit float formats, bit-exact with PyTorch: widening is exact, narrowing rounds
 * to nearest, ties to even (subnormals, infinities and NaN included). {@code Float.float16ToFloat} is Java 20+, so
 * the IEEE half conversion is written out here.
 */
public final class HalfFloats {
    private HalfFloats() {
    }

    /** bfloat16 bits (low 16 bits of {@code bits}) to fp32: bf16 is the top half of an fp32. */
    public static float bf16ToFloat(int bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** fp32 to bfloat16 bits, round to nearest even; NaN stays a (quiet) NaN. */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) {           // NaN: keep sign, force a quiet mantissa bit
            return (short) ((bits >>> 16) | 0x0040);
        }
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);  // ties to even on the kept lsb
        return (short) ((bits + roundingBias) >>> 16);
    }

    /** IEEE binary16 bits (low 16 bits of {@code bits}) to fp32, exact. */
    public static float f16ToFloat(int bits) {
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) {                                // inf / NaN
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {                                   // zero / subnormal: mant * 2^-24
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));  // rebias 15 -> 127
    }

    /** fp32 to IEEE binary16 bits, round to nearest even; overflow gives infinity, underflow subnormals or zero. */
    public static short floatToF16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7FFFFFFF;
        if (abs >= 0x7F800000) {                          // inf or NaN
            return (short) (sign | 0x7C00 | (abs > 0x7F800000 ? 0x200 | ((abs >>> 13) & 0x3FF) : 0));
        }
        if (abs >= 0x477FF000) {                          // >= 65520: rounds past the largest half (65504)
            return (short) (sign | 0x7C00);
        }
        int exp = abs >>> 23;                             // biased fp32 exponent
        if (exp < 113) {                                  // below 2^-14: subnormal half (or zero)
            if (exp < 102) {                              // < 2^-25: rounds to zero (2^-25 itself is a tie -> 0)
                return (short) sign;
            }
            int mant = (abs & 0x7FFFFF) | 0x800000;       // implicit bit
            int shift = 126 - exp;                        // value = mant * 2^(exp-150), unit 2^-24
            int half = mant >>> shift;
            int rem = mant & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rem > mid || (rem == mid && (half & 1) == 1)) {
                half++;
            }
            return (short) (sign | half);
        }
        int h = ((exp - 112) << 10) | ((abs >>> 13) & 0x3FF);  // normal: rebias, keep 10 mantissa bits
        int rem = abs & 0x1FFF;
        if (rem > 0x1000 || (rem == 0x1000 && (h & 1) == 1)) {
            h++;                                          // may carry into the exponent, which is correct
        }
        return (short) (sign | h);
    }
}

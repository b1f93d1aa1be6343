package dev.orpo.model.io;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HalfFloatsTest {

    @Test
    void bf16WideningIsTheTopHalfOfAnFp32() {
        assertEquals(1.0f, HalfFloats.bf16ToFloat(0x3F80));
        assertEquals(-2.0f, HalfFloats.bf16ToFloat(0xC000));
        assertEquals(3.140625f, HalfFloats.bf16ToFloat(0x4049));
        assertEquals(Float.POSITIVE_INFINITY, HalfFloats.bf16ToFloat(0x7F80));
    }

    @Test
    void bf16NarrowingRoundsToNearestEven() {
        assertEquals((short) 0x4049, HalfFloats.floatToBf16((float) Math.PI));          // 0x40490FDB rounds down
        assertEquals((short) 0x3F80, HalfFloats.floatToBf16(Float.intBitsToFloat(0x3F808000)));  // tie -> even (down)
        assertEquals((short) 0x3F82, HalfFloats.floatToBf16(Float.intBitsToFloat(0x3F818000)));  // tie -> even (up)
        assertEquals((short) 0x3F81, HalfFloats.floatToBf16(Float.intBitsToFloat(0x3F808001)));  // above tie -> up
        assertEquals((short) 0x7F80, HalfFloats.floatToBf16(Float.MAX_VALUE));           // overflow -> inf
        assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(Float.NaN))));
    }

    @Test
    void f16WideningCoversNormalsSubnormalsAndSpecials() {
        assertEquals(1.0f, HalfFloats.f16ToFloat(0x3C00));
        assertEquals(-2.0f, HalfFloats.f16ToFloat(0xC000));
        assertEquals(65504f, HalfFloats.f16ToFloat(0x7BFF));
        assertEquals(0x1p-24f, HalfFloats.f16ToFloat(0x0001));
        assertEquals(0x1p-14f, HalfFloats.f16ToFloat(0x0400));
        assertEquals(-0.0f, HalfFloats.f16ToFloat(0x8000));
        assertEquals(Float.NEGATIVE_INFINITY, HalfFloats.f16ToFloat(0xFC00));
        assertTrue(Float.isNaN(HalfFloats.f16ToFloat(0x7E00)));
    }

    @Test
    void f16NarrowingRoundsToNearestEvenIncludingEdgeCases() {
        assertEquals((short) 0x3C00, HalfFloats.floatToF16(1.0f));
        assertEquals((short) 0x3C00, HalfFloats.floatToF16(1.0f + 0x1p-11f));          // tie -> even (down)
        assertEquals((short) 0x3C02, HalfFloats.floatToF16(1.0f + 3 * 0x1p-11f));      // tie -> even (up)
        assertEquals((short) 0x3C01, HalfFloats.floatToF16(1.0f + 0x1p-11f + 0x1p-20f)); // above tie -> up
        assertEquals((short) 0x7BFF, HalfFloats.floatToF16(65504f));
        assertEquals((short) 0x7BFF, HalfFloats.floatToF16(65519.99f));                  // below the tie stays finite
        assertEquals((short) 0x7C00, HalfFloats.floatToF16(65520f));                     // tie with odd max -> inf
        assertEquals((short) 0x7C00, HalfFloats.floatToF16(1e10f));
        assertEquals((short) 0xFC00, HalfFloats.floatToF16(Float.NEGATIVE_INFINITY));
        assertEquals((short) 0x0001, HalfFloats.floatToF16(0x1p-24f));                   // smallest subnormal
        assertEquals((short) 0x0000, HalfFloats.floatToF16(0x1p-25f));                   // tie -> even zero
        assertEquals((short) 0x0001, HalfFloats.floatToF16(0x1.000002p-25f));            // just above tie -> 1
        assertEquals((short) 0x0002, HalfFloats.floatToF16(3 * 0x1p-25f));              // 1.5 ulp tie -> even 2
        assertEquals((short) 0x0400, HalfFloats.floatToF16(0x1.ffep-15f));               // rounds up into normal
        assertEquals((short) 0x8000, HalfFloats.floatToF16(-1e-10f));                    // underflow keeps sign
        assertTrue(Float.isNaN(HalfFloats.f16ToFloat(HalfFloats.floatToF16(Float.NaN))));
    }

    @Test
    void everyF16ValueRoundTripsThroughFp32() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = HalfFloats.f16ToFloat(bits);
            if (!Float.isNaN(f)) {
                assertEquals((short) bits, HalfFloats.floatToF16(f), "half bits 0x" + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void f16NarrowingMatchesNearestValueOnRandomInputs() {
        java.util.Random rnd = new java.util.Random(7);
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(rnd.nextInt());
            if (Float.isNaN(f) || Math.abs(f) >= 65504f || Math.abs(f) < 1e-9f) {
                continue;
            }
            int mag = HalfFloats.floatToF16(f) & 0x7FFF;          // compare magnitudes with both neighbours
            double a = Math.abs((double) f);
            double err = Math.abs(HalfFloats.f16ToFloat(mag) - a);
            assertTrue(err <= Math.abs(HalfFloats.f16ToFloat(mag + 1) - a), "nearest half of " + f);
            if (mag > 0) {
                assertTrue(err <= Math.abs(HalfFloats.f16ToFloat(mag - 1) - a), "nearest half of " + f);
            }
        }
    }
}

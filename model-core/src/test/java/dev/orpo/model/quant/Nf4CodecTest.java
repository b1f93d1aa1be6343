package dev.orpo.model.quant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The codec against golden values of make_nf4_golden.py (NF4 from its published definition, in PyTorch). */
class Nf4CodecTest {
    static final JsonNode GOLDEN = golden();

    static JsonNode golden() {
        try (InputStream in = Nf4CodecTest.class.getResourceAsStream("/golden/nf4/nf4.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static float[] f32(JsonNode node) {
        ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(node.asText())).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    static byte[] u8(JsonNode node) {
        return Base64.getDecoder().decode(node.asText());
    }

    static long[] shape(JsonNode c) {
        long[] s = new long[c.get("shape").size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = c.get("shape").get(i).asLong();
        }
        return s;
    }

    static Nf4Tensor quantize(JsonNode c) {
        return Nf4Codec.quantize(f32(c.get("input")), shape(c),
                new Nf4Config(c.get("block_size").asInt(), c.get("double_quant").asBoolean()));
    }

    @Test
    void codeBooksAreThePublishedNf4TableAndBitsandbytesDynamicMap() {
        float[] nf4 = new float[16];
        for (int i = 0; i < 16; i++) {
            nf4[i] = (float) GOLDEN.get("nf4_code").get(i).asDouble();
        }
        assertArrayEquals(nf4, Nf4Codes.nf4());
        assertArrayEquals(f32(GOLDEN.get("dynamic_code")), Nf4Codes.dynamic());
    }

    @Test
    void codesAndScalesEqualTheReferenceBitForBit() {
        for (JsonNode c : GOLDEN.get("cases")) {
            Nf4Tensor q = quantize(c);
            String name = c.get("name").asText();
            assertArrayEquals(u8(c.get("packed")), q.packed(), name + " packed codes");
            if (c.get("double_quant").asBoolean()) {
                assertEquals((float) c.get("offset").asDouble(), q.scales().offset(), 1e-9, name + " offset");
                assertArrayEquals(u8(c.get("quantized_absmax")), q.scales().codes(), name + " scale codes");
                assertArrayEquals(f32(c.get("absmax2")), q.scales().groupAbsmax(), name + " group absmax");
            } else {
                assertArrayEquals(f32(c.get("absmax")), q.absmax(), name + " absmax");
            }
        }
    }

    @Test
    void dequantizedValuesEqualTheReferenceWithin1e6() {
        for (JsonNode c : GOLDEN.get("cases")) {
            float[] expected = f32(c.get("dequantized"));
            float[] actual = quantize(c).dequantize();
            assertEquals(expected.length, actual.length);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-6, c.get("name").asText() + " value " + i);
            }
        }
    }

    @Test
    void roundTripErrorIsAtMostHalfTheWidestCodeGapTimesTheBlockScale() {
        float[] code = Nf4Codes.nf4();
        float maxGap = 0;
        for (int i = 1; i < code.length; i++) {
            maxGap = Math.max(maxGap, code[i] - code[i - 1]);
        }
        Random r = new Random(9);
        float[] x = new float[64 * 50];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 0.05);
        }
        Nf4Tensor q = Nf4Codec.quantize(x, new long[] {50, 64}, new Nf4Config(64, false));
        float[] back = q.dequantize();
        double sq = 0;
        double sqx = 0;
        for (int i = 0; i < x.length; i++) {
            float bound = q.absmax()[i / 64] * maxGap / 2 * 1.0001f;
            assertTrue(Math.abs(back[i] - x[i]) <= bound, "value " + i + ": " + x[i] + " → " + back[i]);
            sq += (back[i] - x[i]) * (back[i] - x[i]);
            sqx += x[i] * x[i];
        }
        // NF4 on Gaussian data: relative RMS error ≈ 0.1 (a sanity bound, not a golden value)
        assertTrue(Math.sqrt(sq / sqx) < 0.15, "relative RMS error " + Math.sqrt(sq / sqx));
    }

    @Test
    void doubleQuantizationShrinksScalesFourfoldAndStaysCloseToPlainScales() {
        JsonNode c = GOLDEN.get("cases").get(2);
        float[] input = f32(c.get("input"));
        Nf4Tensor plain = Nf4Codec.quantize(input, shape(c), new Nf4Config(64, false));
        Nf4Tensor dq = Nf4Codec.quantize(input, shape(c), new Nf4Config(64, true));
        assertArrayEquals(plain.packed(), dq.packed(), "codes do not depend on how scales are stored");
        int blocks = plain.blocks();
        assertEquals(packedBytes(input.length) + 4L * blocks, plain.bytes());
        assertEquals(packedBytes(input.length) + blocks + 4L * 2 + 4, dq.bytes()); // 280 blocks → 2 groups
        float[] scales = dq.blockScales();
        for (int b = 0; b < blocks; b++) {
            // 8-bit dynamic code of (absmax − mean): error well under 1% of the group's spread
            assertEquals(plain.absmax()[b], scales[b], 0.01 * dq.scales().groupAbsmax()[b / 256], "block " + b);
        }
    }

    @Test
    void allZeroBlockKeepsZeroScaleAndZeroCodes() {
        float[] x = new float[128];
        x[100] = 0.5f;
        Nf4Tensor q = Nf4Codec.quantize(x, new long[] {2, 64}, new Nf4Config(64, false));
        assertEquals(0f, q.absmax()[0]);
        for (int i = 0; i < 32; i++) {
            assertEquals((byte) 0x77, q.packed()[i]);
        }
        float[] back = q.dequantize();
        assertEquals(0.5f, back[100]);
        assertEquals(0f, back[0]);
    }

    @Test
    void nonFiniteValuesAreRefusedNamingTheirIndex() {
        float[] x = new float[64];
        x[17] = Float.NaN;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Nf4Codec.quantize(x, new long[] {64}, Nf4Config.defaults()));
        assertTrue(e.getMessage().contains("value 17"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Nf4Config(48, true));
    }

    private static long packedBytes(int n) {
        return (n + 1) / 2;
    }
}

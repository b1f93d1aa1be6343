package dev.orpo.model.quant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The 8-bit dynamic maps and block-wise quantization against bitsandbytes' definitions run in PyTorch. */
public class DynamicQuantizationTest {
    /** The golden file of make_adamw8bit_golden.py (also read by the 8-bit AdamW test). */
    public static final JsonNode GOLDEN = golden();

    private static JsonNode golden() {
        try (InputStream in = DynamicQuantizationTest.class.getResourceAsStream("/golden/adamw8bit/adamw8bit.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static float[] floats(JsonNode base64) {
        ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(base64.asText())).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    public static byte[] bytes(JsonNode base64) {
        return Base64.getDecoder().decode(base64.asText());
    }

    @Test
    void signedAndUnsignedMapsAreBitsandbytesBitForBit() {
        assertArrayEquals(floats(GOLDEN.get("signed_code")), DynamicQuantization.signedMap(), 0f);
        assertArrayEquals(floats(GOLDEN.get("unsigned_code")), DynamicQuantization.unsignedMap(), 0f);
        assertEquals(0f, DynamicQuantization.unsignedMap()[0]);
        assertEquals(1f, DynamicQuantization.signedMap()[255]);
        assertArrayEquals(DynamicQuantization.signedMap(), Nf4Codes.dynamic(), 0f, "NF4's scales use the same map");
    }

    @Test
    void blockwiseCodesAndScalesEqualBitsandbytesIncludingAZeroAndAShortBlock() {
        for (JsonNode c : GOLDEN.get("quantize")) {
            float[] x = floats(c.get("input"));
            boolean signed = c.get("signed").asBoolean();
            byte[] codes = new byte[x.length];
            float[] absmax = new float[DynamicQuantization.blocks(x.length)];
            DynamicQuantization.quantize(x, signed, codes, absmax);
            String name = c.get("name").asText();
            assertArrayEquals(bytes(c.get("codes")), codes, name);
            assertArrayEquals(floats(c.get("absmax")), absmax, 0f, name);
            float[] back = new float[x.length];
            DynamicQuantization.dequantize(codes, absmax, signed, back);
            assertArrayEquals(floats(c.get("dequantized")), back, 0f, name);
        }
    }
}

package dev.orpo.model.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsValidationTest {
    @TempDir
    Path dir;

    private String rejection(String header, int dataBytes) throws IOException {
        Path f = SafetensorsTestFiles.write(dir.resolve("x.safetensors"), header, dataBytes);
        return assertThrows(IllegalArgumentException.class, () -> SafetensorsFile.open(f)).getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "expected '" + p + "' in: " + message);
        }
    }

    @Test
    void offsetPastTheEndOfTheDataIsRejected() throws IOException {
        String m = rejection("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8);
        assertMentions(m, "'w'", "outside the data area", "8 bytes");
    }

    @Test
    void overlappingTensorsAreRejectedNamingBoth() throws IOException {
        String m = rejection("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12);
        assertMentions(m, "'a'", "'b'", "overlaps");
    }

    @Test
    void byteLengthThatDisagreesWithShapeIsRejected() throws IOException {
        String m = rejection("{\"w\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[0,8]}}", 8);
        assertMentions(m, "'w'", "8 bytes", "needs 12");
    }

    @Test
    void hugeHeaderLengthIsRejected() throws IOException {
        byte[] header = "{}".getBytes(StandardCharsets.UTF_8);
        Path f = SafetensorsTestFiles.writeWithLength(dir.resolve("h.safetensors"), Long.MAX_VALUE / 2, header, 0);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> SafetensorsFile.open(f)).getMessage(),
                "header length", "h.safetensors");
        Path g = SafetensorsTestFiles.writeWithLength(dir.resolve("g.safetensors"), 1000, header, 0);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> SafetensorsFile.open(g)).getMessage(),
                "header length 1000");
    }

    @Test
    void negativeHeaderLengthIsRejected() throws IOException {
        Path f = SafetensorsTestFiles.writeWithLength(dir.resolve("n.safetensors"), -5, "{}".getBytes(), 0);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> SafetensorsFile.open(f)).getMessage(),
                "header length -5");
    }

    @Test
    void nonJsonHeaderIsRejected() throws IOException {
        assertMentions(rejection("{\"w\": [oops", 0), "not valid JSON");
    }

    @Test
    void unknownDtypeIsRejectedNamingTheTensor() throws IOException {
        assertMentions(rejection("{\"w\":{\"dtype\":\"F8_E4M3X\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1),
                "'w'", "F8_E4M3X");
    }

    @Test
    void missingFieldsAreRejected() throws IOException {
        assertMentions(rejection("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "'w'", "data_offsets");
    }

    @Test
    void truncatedFileIsRejected() throws IOException {
        Path f = dir.resolve("t.safetensors");
        java.nio.file.Files.write(f, new byte[]{1, 2, 3});
        assertMentions(assertThrows(IllegalArgumentException.class, () -> SafetensorsFile.open(f)).getMessage(),
                "shorter");
    }

    @Test
    void headerOverOneHundredMegabytesIsRefusedEvenWhenTheFileIsThatLarge() throws IOException {
        Path f = dir.resolve("big.safetensors");
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .putLong(0, 100_000_001L));
            ch.write(java.nio.ByteBuffer.wrap(new byte[]{'}'}), 8 + 100_000_001L); // sparse: no 100 MB written
        }
        assertMentions(assertThrows(IllegalArgumentException.class, () -> SafetensorsFile.open(f)).getMessage(),
                "header length 100000001", "big.safetensors");
    }

    @Test
    void tensorNamedTwiceIsRefusedNamingIt() throws IOException {
        String m = rejection("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8);
        assertMentions(m, "Duplicate", "'w'");
    }

    @Test
    void bytesThatNoTensorOwnsAreRefused() throws IOException {
        assertMentions(rejection("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12),
                "'b' starts at 8", "[4, 8) belong to no tensor");
        assertMentions(rejection("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 16),
                "cover 4 of the 16", "[4, 16) belong to no tensor");
    }

    @Test
    void emptyTensorInsideAnotherIsRefusedAsAnOverlap() throws IOException {
        assertMentions(rejection("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}", 8), "'e'", "overlaps", "'a'");
    }

    @Test
    void fractionalOrQuotedNumbersAreNotShapesOrOffsets() throws IOException {
        assertMentions(rejection("{\"w\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", 8),
                "'w'", "invalid shape");
        assertMentions(rejection("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8.9]}}", 8),
                "'w'", "invalid data_offsets");
        assertMentions(rejection("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[\"0\",8]}}", 8),
                "'w'", "invalid data_offsets");
    }

    @Test
    void shapeWhoseElementCountOverflowsIsRefused() throws IOException {
        assertMentions(rejection("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
                + "\"data_offsets\":[0,8]}}", 8), "'w'", "overflows");
    }

    @Test
    void headerThatIsNotAnObjectIsRefused() throws IOException {
        assertMentions(rejection("[1, 2, 3]", 0), "not a JSON object");
        assertMentions(rejection("{\"w\": 7}", 0), "'w'", "needs dtype, shape and data_offsets");
    }
}

package dev.orpo.model.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsFileTest {
    @TempDir
    Path dir;

    private static float[] values(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) Math.sin(i * 0.37) * (i % 7 + 1) / 3f;
        }
        return v;
    }

    private Path writeOne(DType dtype, float[] data, long... shape) {
        Path f = dir.resolve(dtype + ".safetensors");
        try (SafetensorsWriter w = SafetensorsWriter.open(f, List.of(new TensorSpec("t", dtype, shape)),
                SafetensorsWriter.PT_METADATA)) {
            w.write("t", data);
        }
        return f;
    }

    @Test
    void f32RoundTripIsExact() {
        float[] v = values(3 * 5);
        try (SafetensorsFile f = SafetensorsFile.open(writeOne(DType.F32, v, 3, 5))) {
            assertArrayEquals(v, f.readFloats("t"));
            assertArrayEquals(new long[]{3, 5}, f.info("t").shape());
            assertEquals(Map.of("format", "pt"), f.metadata());
        }
    }

    @Test
    void bf16RoundTripGivesTheNearestBf16Values() {
        float[] v = values(64);
        try (SafetensorsFile f = SafetensorsFile.open(writeOne(DType.BF16, v, 8, 8))) {
            float[] back = f.readFloats("t");
            for (int i = 0; i < v.length; i++) {
                assertEquals(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(v[i])), back[i]);
                assertEquals(v[i], back[i], Math.abs(v[i]) / 128f);
            }
        }
    }

    @Test
    void bf16ValuesWrittenAsRawBitsReadBackExactly() throws IOException {
        Path file = SafetensorsTestFiles.write(dir.resolve("raw.safetensors"),
                "{\"w\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,6]}}", 6);
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int data = bytes.length - 6;
        b.putShort(data, (short) 0x3F80).putShort(data + 2, (short) 0xC049).putShort(data + 4, (short) 0x0001);
        Files.write(file, bytes);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertArrayEquals(new float[]{1f, -3.140625f, Float.intBitsToFloat(0x00010000)}, f.readFloats("w"));
        }
    }

    @Test
    void f16RoundTripGivesTheNearestHalfValues() {
        float[] v = values(50);
        v[0] = 65504f;
        v[1] = 1e-7f;
        try (SafetensorsFile f = SafetensorsFile.open(writeOne(DType.F16, v, 50))) {
            float[] back = f.readFloats("t");
            for (int i = 0; i < v.length; i++) {
                assertEquals(HalfFloats.f16ToFloat(HalfFloats.floatToF16(v[i])), back[i]);
            }
            assertEquals(65504f, back[0]);
        }
    }

    @Test
    void integerTensorsAreReadRawAndRefusedAsFloats() {
        Path file = dir.resolve("ints.safetensors");
        byte[] ids = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(7).putLong(-1).array();
        try (SafetensorsWriter w = SafetensorsWriter.open(file, List.of(new TensorSpec("ids", DType.I64,
                new long[]{2}), new TensorSpec("mask", DType.BOOL, new long[]{3})), Map.of())) {
            w.writeRaw("ids", ids);
            w.writeRaw("mask", new byte[]{1, 0, 1});
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertArrayEquals(ids, f.readRaw("ids"));
            assertArrayEquals(new byte[]{1, 0, 1}, f.readRaw("mask"));
            assertEquals(List.of("ids", "mask"), f.names());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.readFloats("ids"));
            assertTrue(e.getMessage().contains("ids"), e.getMessage());
        }
    }

    @Test
    void headerIsSpacePaddedToEightBytes() throws IOException {
        Path file = writeOne(DType.F32, values(3), 3);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong(0);
        assertEquals(0, n % 8);
        assertEquals(8 + n + 12, Files.size(file));
    }

    @Test
    void scalarAndEmptyTensorsAreSupported() {
        Path file = dir.resolve("edge.safetensors");
        try (SafetensorsWriter w = SafetensorsWriter.open(file, List.of(new TensorSpec("s", DType.F32, new long[0]),
                new TensorSpec("e", DType.F16, new long[]{0, 4})), Map.of())) {
            w.write("s", new float[]{2.5f});
            w.write("e", new float[0]);
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertArrayEquals(new float[]{2.5f}, f.readFloats("s"));
            assertEquals(0, f.readFloats("e").length);
        }
    }

    @Test
    void unknownTensorIsRejectedNamingIt() {
        try (SafetensorsFile f = SafetensorsFile.open(writeOne(DType.F32, values(2), 2))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.info("nope"));
            assertTrue(e.getMessage().contains("'nope'"), e.getMessage());
        }
    }

    @Test
    void writerRejectsOutOfOrderOrWrongSizedTensors() {
        Path file = dir.resolve("bad.safetensors");
        SafetensorsWriter w = SafetensorsWriter.open(file, List.of(new TensorSpec("a", DType.F32, new long[]{2}),
                new TensorSpec("b", DType.F32, new long[]{2})), Map.of());
        assertThrows(IllegalArgumentException.class, () -> w.write("b", new float[2]));
        assertThrows(IllegalArgumentException.class, () -> w.write("a", new float[3]));
        w.write("a", new float[2]);
        IllegalStateException e = assertThrows(IllegalStateException.class, w::close);
        assertTrue(e.getMessage().contains("'b'"), e.getMessage());
    }

    @Test
    void tensorsStraddlingMappingWindowsReadCorrectly() {
        Path file = dir.resolve("windows.safetensors");
        float[] a = values(7);      // 14 bytes of BF16: later tensors start at odd window offsets
        float[] b = values(101);
        try (SafetensorsWriter w = SafetensorsWriter.open(file, List.of(new TensorSpec("a", DType.BF16,
                new long[]{7}), new TensorSpec("b", DType.F32, new long[]{101})), Map.of())) {
            w.write("a", a);
            w.write("b", b);
        }
        try (SafetensorsFile f = SafetensorsFile.open(file, 13)) {   // 13-byte windows split every element
            assertArrayEquals(b, f.readFloats("b"));
            assertEquals(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(a[6])), f.readFloats("a")[6]);
        }
    }

    @Test
    void tensorsPastTwoGigabytesAreRead() throws IOException {
        long pad = 2_200_000_000L;                        // a 2.2 GB U8 tensor, left sparse on disk
        String header = "{\"pad\":{\"dtype\":\"U8\",\"shape\":[" + pad + "],\"data_offsets\":[0," + pad + "]},"
                + "\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + pad + "," + (pad + 8) + "]}}";
        byte[] h = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Path file = dir.resolve("big.safetensors");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8 + h.length).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h).flip());
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f).flip(),
                    8 + h.length + pad);
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertArrayEquals(new float[]{1.5f, -2f}, f.readFloats("t"));
            assertEquals(pad, f.info("pad").byteLength());
        }
    }
}

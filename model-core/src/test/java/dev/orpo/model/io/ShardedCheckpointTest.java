package dev.orpo.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardedCheckpointTest {
    @TempDir
    Path dir;

    private static float[] fill(int n, float base) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = base + i;
        }
        return v;
    }

    private static List<TensorSpec> specs() {
        List<TensorSpec> s = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            s.add(new TensorSpec("layer." + i + ".weight", DType.F32, new long[]{4, 8}));  // 128 bytes each
        }
        return s;
    }

    private void writeAll(Path out, long maxShard) {
        try (ShardedCheckpointWriter w = ShardedCheckpointWriter.open(out, specs(), maxShard)) {
            for (int i = 0; i < 5; i++) {
                w.write("layer." + i + ".weight", fill(32, i * 100));
            }
            w.finish();
        }
    }

    @Test
    void shardedCheckpointIsWrittenWithIndexAndReadBack() throws IOException {
        writeAll(dir, 300);  // two tensors per shard -> 3 shards
        assertTrue(Files.exists(dir.resolve("model-00001-of-00003.safetensors")));
        assertTrue(Files.exists(dir.resolve("model-00003-of-00003.safetensors")));
        JsonNode index = new ObjectMapper().readTree(dir.resolve("model.safetensors.index.json").toFile());
        assertEquals(5 * 128, index.get("metadata").get("total_size").asLong());
        assertEquals("model-00003-of-00003.safetensors", index.get("weight_map").get("layer.4.weight").asText());
        try (CheckpointReader r = CheckpointReader.open(dir)) {
            assertEquals(3, r.shards().size());
            assertEquals(5, r.names().size());
            assertArrayEquals(fill(32, 300), r.readFloats("layer.3.weight"));
            assertArrayEquals(new long[]{4, 8}, r.shape("layer.3.weight"));
            assertEquals(List.of("layer.2.weight", "layer.3.weight"), r.namesIn(r.shards().get(1)));
            assertEquals(DType.F32, r.floatingDtype());
        }
    }

    @Test
    void singleShardIsNamedModelSafetensorsWithoutIndex() {
        writeAll(dir, ShardedCheckpointWriter.DEFAULT_MAX_SHARD_BYTES);
        assertTrue(Files.exists(dir.resolve("model.safetensors")));
        assertFalse(Files.exists(dir.resolve("model.safetensors.index.json")));
        try (CheckpointReader r = CheckpointReader.open(dir)) {
            assertEquals(Set.copyOf(specs().stream().map(TensorSpec::name).toList()), r.names());
            assertArrayEquals(fill(32, 0), r.readFloats("layer.0.weight"));
        }
    }

    @Test
    void aSingleNamedFileCanBeOpened() {
        writeAll(dir, ShardedCheckpointWriter.DEFAULT_MAX_SHARD_BYTES);
        try (CheckpointReader r = CheckpointReader.open(dir.resolve("model.safetensors"))) {
            assertEquals(5, r.names().size());
        }
    }

    @Test
    void tensorLargerThanTheShardLimitGetsItsOwnShard() {
        List<TensorSpec> s = List.of(new TensorSpec("a", DType.F32, new long[]{10}),
                new TensorSpec("big", DType.F32, new long[]{100}), new TensorSpec("b", DType.F32, new long[]{10}));
        List<List<TensorSpec>> plan = ShardedCheckpointWriter.plan(s, 100);
        assertEquals(3, plan.size());
        assertEquals("big", plan.get(1).get(0).name());
    }

    @Test
    void unknownTensorIsRejectedNamingItAndTheCheckpoint() {
        writeAll(dir, 300);
        try (CheckpointReader r = CheckpointReader.open(dir)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.readFloats("lm_head"));
            assertTrue(e.getMessage().contains("'lm_head'") && e.getMessage().contains(dir.toString()), e.getMessage());
        }
    }

    @Test
    void indexNamingAMissingShardIsRejected() throws IOException {
        writeAll(dir, 300);
        Files.delete(dir.resolve("model-00002-of-00003.safetensors"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CheckpointReader.open(dir));
        assertTrue(e.getMessage().contains("model-00002-of-00003.safetensors"), e.getMessage());
    }

    @Test
    void directoryWithoutCheckpointIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CheckpointReader.open(dir));
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    }

    @Test
    void finishingBeforeAllTensorsAreWrittenFailsNamingTheMissingOne() {
        try (ShardedCheckpointWriter w = ShardedCheckpointWriter.open(dir, specs(), 300)) {
            w.write("layer.0.weight", fill(32, 0));
            w.write("layer.1.weight", fill(32, 0));
            IllegalStateException e = assertThrows(IllegalStateException.class, w::finish);
            assertTrue(e.getMessage().contains("layer.2.weight"), e.getMessage());
        }
    }

    @Test
    void sizesParseAsTransformersMaxShardSize() {
        assertEquals(5_000_000_000L, ShardedCheckpointWriter.parseSize("5GB"));
        assertEquals(2L << 30, ShardedCheckpointWriter.parseSize("2GiB"));
        assertEquals(500_000_000L, ShardedCheckpointWriter.parseSize("500MB"));
        assertEquals(1234, ShardedCheckpointWriter.parseSize("1234"));
        assertThrows(IllegalArgumentException.class, () -> ShardedCheckpointWriter.parseSize("five"));
    }
}

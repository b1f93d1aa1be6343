package dev.orpo.store;

import dev.orpo.deploy.local.LocalStack;
import dev.orpo.deploy.local.StackEndpoints;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ObjectStore} against a real S3 server (S3Proxy from the local stack). Lives in module deploy because the stack
 * launcher itself depends on object-store.
 */
class ObjectStoreAgainstS3ProxyTest {
    @TempDir
    static Path stackDir;
    private static LocalStack stack;
    private static ObjectStore store;

    @TempDir
    Path work;
    private final String prefix = "runs/run-" + UUID.randomUUID().toString().substring(0, 8) + "/";

    @BeforeAll
    static void startStack() {
        stack = LocalStack.ephemeral(stackDir);
        StackEndpoints e = stack.up(Duration.ofSeconds(60));
        store = new ObjectStore(ObjectStoreConfig.of(e.s3Endpoint(), e.accessKey(), e.secretKey()));
    }

    @AfterAll
    static void stopStack() {
        stack.down();
    }

    @Test
    void multipartUploadReturnsSha256AndDownloadRestoresTheBytes() throws Exception {
        Path big = work.resolve("shard.bin");
        byte[] bytes = new byte[(int) ObjectStore.PART_SIZE + 3_000_001]; // two parts
        new Random(7).nextBytes(bytes);
        Files.write(big, bytes);

        String sha = store.putFile(prefix + "shard.bin", big);
        assertEquals(Sha256.of(bytes), sha);
        assertEquals(sha, store.storedSha256(prefix + "shard.bin").orElseThrow());

        Path back = work.resolve("down/shard.bin");
        store.getFile(prefix + "shard.bin", back);
        assertEquals(sha, Sha256.of(back));
    }

    @Test
    void directoryRoundTripKeepsRelativePaths() throws Exception {
        Path src = work.resolve("adapter");
        Files.createDirectories(src.resolve("nested"));
        Files.writeString(src.resolve("adapter_config.json"), "{\"r\": 8}");
        Files.writeString(src.resolve("nested/notes.txt"), "step 10");

        Map<String, String> hashes = store.putDirectory(prefix + "checkpoints/step-10", src);
        assertEquals(List.of("adapter_config.json", "nested/notes.txt"), List.copyOf(hashes.keySet()));
        assertEquals(Sha256.of("{\"r\": 8}".getBytes(StandardCharsets.UTF_8)), hashes.get("adapter_config.json"));
        assertEquals(List.of(prefix + "checkpoints/step-10/adapter_config.json",
                prefix + "checkpoints/step-10/nested/notes.txt"), store.list(prefix + "checkpoints/"));

        Path dst = work.resolve("copy");
        List<Path> written = store.getDirectory(prefix + "checkpoints/step-10/", dst);
        assertEquals(2, written.size());
        assertEquals("step 10", Files.readString(dst.resolve("nested/notes.txt")));
        assertEquals("{\"r\": 8}", Files.readString(dst.resolve("adapter_config.json")));
    }

    @Test
    void existsAndListSeeOnlyWhatWasWritten() {
        assertFalse(store.exists(prefix + "request.json"));
        assertEquals(List.of(), store.list(prefix));
        store.putBytes(prefix + "request.json", "{}".getBytes(StandardCharsets.UTF_8));
        assertTrue(store.exists(prefix + "request.json"));
        assertEquals(List.of(prefix + "request.json"), store.list(prefix));
        assertArrayEquals("{}".getBytes(StandardCharsets.UTF_8), store.getBytes(prefix + "request.json"));
    }

    @Test
    void deleteRemovesTheObjectAndToleratesAMissingOne() {
        store.putBytes(prefix + "_LEASE", "{}".getBytes(StandardCharsets.UTF_8));
        store.delete(prefix + "_LEASE");
        assertFalse(store.exists(prefix + "_LEASE"));
        store.delete(prefix + "_LEASE");
    }

    @Test
    void missingObjectErrorNamesTheKey() {
        var e = assertThrows(ObjectStoreException.class, () -> store.getBytes(prefix + "nope.json"));
        assertTrue(e.getMessage().contains("s3://orpo/" + prefix + "nope.json"), e.getMessage());
        var e2 = assertThrows(ObjectStoreException.class,
                () -> store.getFile(prefix + "nope.bin", work.resolve("x.bin")));
        assertTrue(e2.getMessage().contains(prefix + "nope.bin"), e2.getMessage());
        assertFalse(Files.exists(work.resolve("x.bin")));
    }

    @Test
    void wrongCredentialsAreRejectedByTheServer() {
        var c = store.config();
        var intruder = new ObjectStore(new ObjectStoreConfig(c.endpoint(), c.accessKey(), "wrong", c.bucket(),
                c.region()));
        var e = assertThrows(ObjectStoreException.class, () -> intruder.putBytes(prefix + "x", new byte[1]));
        assertTrue(e.getMessage().contains(prefix + "x"), e.getMessage());
    }
}

package dev.orpo.stages.merge;

import dev.orpo.model.io.DType;
import dev.orpo.model.merge.AdapterMerger;
import dev.orpo.model.merge.MergeOptions;
import dev.orpo.stages.resolve.HubAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HubPushTest {
    private static final String TOKEN = "hf_test_write_token";
    /** LFS over 64 KiB (only *.safetensors and binary files go LFS here); parts of 1 KiB, so the shard is multipart. */
    private final StandInHub hub = new StandInHub("alice", TOKEN, 64 * 1024, 1024);

    @TempDir
    Path tmp;

    @AfterEach
    void stop() {
        hub.close();
    }

    /** A merged tiny model (safetensors shard, config, tokenizer files) plus a small binary file. */
    private Path mergedDir() throws IOException {
        Path adapter = TinyMergeInputs.adapter(tmp.resolve("adapter"), false);
        TinyMergeInputs.tokenizer(adapter);
        Path out = tmp.resolve("merged");
        AdapterMerger.merge(TinyMergeInputs.base(tmp.resolve("base")), adapter, out,
                MergeOptions.defaults().withOutputDtype(DType.F32));
        byte[] binary = new byte[300];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (i % 7);
        }
        Files.createDirectories(out.resolve("extra"));
        Files.write(out.resolve("extra/state.bin"), binary);
        return out;
    }

    private static Map<String, byte[]> files(Path dir) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
            }
        }
        return files;
    }

    private static void assertSameFiles(Map<String, byte[]> expected, Map<String, byte[]> actual) {
        assertEquals(expected.keySet(), new TreeMap<>(actual).keySet());
        expected.forEach((path, bytes) -> assertArrayEquals(bytes, actual.get(path), path));
    }

    @Test
    void pushCommitsTheMergedDirectoryByteForByteWithLfsAndRegularFiles() throws Exception {
        Path dir = mergedDir();
        long shard = Files.size(dir.resolve("model.safetensors"));
        assertTrue(shard > 1024, "the shard must span several 1 KiB parts: " + shard);

        HubPush.Result r = new HubPush(hub.url(), TOKEN).push("alice/tiny-orpo", dir, true, "Upload merged model");

        assertEquals("alice/tiny-orpo", r.repoId());
        assertEquals(2, r.lfsFiles()); // model.safetensors (multipart) and extra/state.bin (single PUT)
        assertEquals(2, r.lfsUploaded());
        assertEquals(files(dir).size() - 2, r.regularFiles());
        StandInHub.Repo repo = hub.repo("alice/tiny-orpo");
        assertTrue(repo.privateRepo());
        assertEquals(List.of("Upload merged model"), repo.commits());
        assertSameFiles(files(dir), repo.files());
        List<String> requests = hub.requests();
        assertTrue(requests.stream().anyMatch(q -> q.matches("PUT /lfs-upload/[0-9a-f]{64}/part/2")), requests.toString());
        assertTrue(requests.stream().anyMatch(q -> q.matches("PUT /lfs-upload/[0-9a-f]{64}")), requests.toString());
        assertTrue(requests.stream().anyMatch(q -> q.startsWith("POST /lfs-verify/")), requests.toString());
        assertFalse(requests.contains("GET /api/whoami-v2"), "a namespaced id needs no whoami");
    }

    @Test
    void transientHubFailuresAreRetriedAndThePushCompletes() throws Exception {
        Path dir = mergedDir();
        hub.failNext(3, 503); // the repo-create call fails three times, then answers

        new HubPush(hub.url(), TOKEN, Duration.ofMillis(1)).push("alice/tiny-orpo", dir, false, "flaky");

        assertSameFiles(files(dir), hub.repo("alice/tiny-orpo").files());
        assertEquals(List.of("POST /api/repos/create", "POST /api/repos/create", "POST /api/repos/create",
                "POST /api/repos/create"), hub.requests().subList(0, 4));
    }

    @Test
    void hubThatKeepsFailingEndsThePushAfterThreeRetriesNamingTheStatus() throws Exception {
        Path dir = mergedDir();
        hub.failNext(100, 503);

        HubPushException e = assertThrows(HubPushException.class,
                () -> new HubPush(hub.url(), TOKEN, Duration.ofMillis(1)).push("alice/tiny-orpo", dir, false, "x"));

        assertEquals(503, e.status());
        assertTrue(e.getMessage().contains("POST /api/repos/create answered HTTP 503 (after 3 retries)"),
                e.getMessage());
        assertEquals(1 + HubHttp.RETRIES, hub.requests().size());
    }

    @Test
    void rePushOfTheSameFilesUploadsNoLfsBytesAndKeepsTheTree() throws Exception {
        Path dir = mergedDir();
        HubPush push = new HubPush(hub.url(), TOKEN);
        push.push("alice/tiny-orpo", dir, false, "first");
        int before = hub.requests().size();

        HubPush.Result again = push.push("alice/tiny-orpo", dir, false, "second"); // create answers 409: exists

        assertEquals(0, again.lfsUploaded());
        assertTrue(hub.requests().subList(before, hub.requests().size()).stream().noneMatch(q -> q.startsWith("PUT ")),
                hub.requests().toString());
        assertEquals(List.of("first", "second"), hub.repo("alice/tiny-orpo").commits());
        assertSameFiles(files(dir), hub.repo("alice/tiny-orpo").files());
    }

    @Test
    void existingRepositoryIsCommittedToAndKeepsItsOtherFiles() throws Exception {
        Path first = Files.createDirectories(tmp.resolve("first"));
        Files.writeString(first.resolve("NOTES.md"), "made by hand\n");
        HubPush push = new HubPush(hub.url(), TOKEN);
        push.push("alice/tiny-orpo", first, false, "notes");
        Path dir = mergedDir();

        push.push("alice/tiny-orpo", dir, true, "merged");

        Map<String, byte[]> expected = new TreeMap<>(files(dir));
        expected.put("NOTES.md", "made by hand\n".getBytes());
        assertSameFiles(expected, hub.repo("alice/tiny-orpo").files());
        assertFalse(hub.repo("alice/tiny-orpo").privateRepo(), "an existing repository keeps its visibility");
    }

    @Test
    void bareRepoNameGoesToTheTokenUsersNamespace() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("small"));
        Files.writeString(dir.resolve("config.json"), "{}");
        HubPush.Result r = new HubPush(hub.url() + "/", TOKEN).push("OrpoLlama-3-8B", dir, false, "up");
        assertEquals("alice/OrpoLlama-3-8B", r.repoId());
        assertArrayEquals("{}".getBytes(), hub.repo("alice/OrpoLlama-3-8B").files().get("config.json"));
    }

    @Test
    void rejectedTokenFailsNamingTheStatusAndUrlPathAndUploadsNothing() throws Exception {
        Path dir = mergedDir();
        HubPushException e = assertThrows(HubPushException.class,
                () -> new HubPush(hub.url(), "hf_wrong").push("alice/tiny-orpo", dir, false, "up"));
        assertEquals(401, e.status());
        assertTrue(e.getMessage().contains("push to alice/tiny-orpo: POST /api/repos/create answered 401: token"
                + " rejected"), e.getMessage());
        assertNull(hub.repo("alice/tiny-orpo"));
        assertTrue(hub.requests().stream().noneMatch(q -> q.contains("lfs")), hub.requests().toString());
    }

    @Test
    void missingTokenIsRefusedBeforeAnyRequest() throws Exception {
        Path dir = mergedDir();
        HubPush push = HubPush.of(HubAccess.fromEnvironment(Map.of()).withBaseUrl(hub.url()));
        assertFalse(push.hasToken());
        HubPushException e = assertThrows(HubPushException.class, () -> push.push("alice/tiny-orpo", dir, false, "up"));
        assertTrue(e.getMessage().contains("set HF_TOKEN"), e.getMessage());
        assertEquals(List.of(), hub.requests());
    }

    @Test
    void invalidRepoIdAndUnreachableHubAreClearErrors() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("small"));
        Files.writeString(dir.resolve("config.json"), "{}");
        HubPushException bad = assertThrows(HubPushException.class,
                () -> new HubPush(hub.url(), TOKEN).push("a/b/c", dir, false, "up"));
        assertTrue(bad.getMessage().contains("not a hub repo id"), bad.getMessage());
        String closed = hub.url();
        hub.close();
        HubPushException offline = assertThrows(HubPushException.class,
                () -> new HubPush(closed, TOKEN).push("alice/x", dir, false, "up"));
        assertTrue(offline.getMessage().contains("POST /api/repos/create: cannot reach"), offline.getMessage());
    }
}

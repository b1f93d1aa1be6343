package dev.orpo.stages.resolve;

import com.sun.net.httpserver.HttpServer;
import dev.orpo.contracts.request.DatasetSpec;
import dev.orpo.contracts.request.ModelSpec;
import dev.orpo.stages.SharedS3;
import dev.orpo.store.ObjectStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Artifacts} against a real S3 server (S3Proxy from the local stack) and a local stand-in for the hub. */
class ArtifactsTest {
    private static final ObjectStore store = SharedS3.store();

    @TempDir
    Path work;
    private final String prefix = "test-" + UUID.randomUUID().toString().substring(0, 8) + "/";
    private HttpServer hub;
    private final Map<String, byte[]> hubFiles = new ConcurrentHashMap<>();
    private final List<String> hubRequests = new CopyOnWriteArrayList<>();
    private final List<String> authHeaders = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopHub() {
        if (hub != null) {
            hub.stop(0);
        }
    }

    @Test
    void localModelDirectoryAndDatasetFileAreUsedAsIs() throws IOException {
        Path model = Files.createDirectories(work.resolve("model"));
        Path data = Files.writeString(work.resolve("d.jsonl"), "{}\n");
        Artifacts artifacts = new Artifacts(null, work.resolve("cache"), null);
        assertEquals(model, artifacts.model(ModelSpec.of(model.toString())));
        assertEquals(data, artifacts.dataset(DatasetSpec.of(data.toString())));
        ArtifactException e = assertThrows(ArtifactException.class,
                () -> artifacts.dataset(DatasetSpec.of(work.resolve("missing.jsonl").toString())));
        assertTrue(e.getMessage().contains("missing.jsonl"), e.getMessage());
    }

    @Test
    void s3ModelIsDownloadedIntoTheCacheAndReusedUntilTheSourceChanges() throws IOException {
        store.putBytes(prefix + "model/config.json", "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        store.putBytes(prefix + "model/model.safetensors", new byte[]{1, 2, 3});
        Artifacts artifacts = new Artifacts(store, work.resolve("cache"), null);
        String uri = "s3://orpo/" + prefix + "model";

        Path dir = artifacts.model(ModelSpec.of(uri));
        assertEquals("{\"a\":1}", Files.readString(dir.resolve("config.json")));
        Files.writeString(dir.resolve("config.json"), "locally touched"); // a reused cache keeps this
        assertEquals(dir, artifacts.model(ModelSpec.of(uri + "/")));
        assertEquals("locally touched", Files.readString(dir.resolve("config.json")));

        store.putBytes(prefix + "model/config.json", "{\"a\":2}".getBytes(StandardCharsets.UTF_8));
        assertEquals("{\"a\":2}", Files.readString(artifacts.model(ModelSpec.of(uri)).resolve("config.json")));

        ArtifactException e = assertThrows(ArtifactException.class,
                () -> artifacts.model(ModelSpec.of("s3://orpo/" + prefix + "nothing-here/")));
        assertTrue(e.getMessage().contains("s3://orpo/" + prefix + "nothing-here/"), e.getMessage());
    }

    @Test
    void hubModelDownloadsConfigTokenizerAndIndexedShardsWithTheBearerToken() throws IOException {
        startHub();
        hubFiles.put("/org/tiny/resolve/main/config.json", "{\"hidden_size\":8}".getBytes(StandardCharsets.UTF_8));
        hubFiles.put("/org/tiny/resolve/main/tokenizer.json", "{}".getBytes(StandardCharsets.UTF_8));
        hubFiles.put("/org/tiny/resolve/main/model.safetensors.index.json", ("{\"weight_map\":{\"a\":"
                + "\"model-00001-of-00002.safetensors\",\"b\":\"model-00002-of-00002.safetensors\"}}")
                .getBytes(StandardCharsets.UTF_8));
        hubFiles.put("/org/tiny/resolve/main/model-00001-of-00002.safetensors", new byte[]{1});
        hubFiles.put("/org/tiny/resolve/main/model-00002-of-00002.safetensors", new byte[]{2});
        Artifacts artifacts = new Artifacts(null, work.resolve("cache"), new HubClient(hubUrl(), "hf_secret"));

        Path dir = artifacts.model(ModelSpec.of("org/tiny"));
        for (String f : List.of("config.json", "tokenizer.json", "model.safetensors.index.json",
                "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors")) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        }
        assertFalse(Files.exists(dir.resolve("tokenizer_config.json"))); // optional and absent on the hub
        assertTrue(authHeaders.stream().allMatch("Bearer hf_secret"::equals), authHeaders.toString());
        int requests = hubRequests.size();
        assertEquals(dir, artifacts.model(ModelSpec.of("org/tiny")));
        assertEquals(requests, hubRequests.size(), "second resolve is served from the cache");

        ArtifactException missing = assertThrows(ArtifactException.class,
                () -> artifacts.model(new ModelSpec("org/absent", "v1")));
        assertTrue(missing.getMessage().contains("org/absent@v1"), missing.getMessage());
    }

    @Test
    void hubModelOfflineFailsWithAClearMessage() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Artifacts artifacts = new Artifacts(null, work.resolve("cache"),
                new HubClient("http://127.0.0.1:" + closedPort, null));
        ArtifactException e = assertThrows(ArtifactException.class, () -> artifacts.model(ModelSpec.of("org/tiny")));
        assertTrue(e.getMessage().contains("cannot reach") && e.getMessage().contains("org/tiny"), e.getMessage());

        ArtifactException noHub = assertThrows(ArtifactException.class,
                () -> new Artifacts(null, work.resolve("c2"), null).model(ModelSpec.of("org/tiny")));
        assertTrue(noHub.getMessage().contains("hub access is disabled") && noHub.getMessage().contains("orpo upload"),
                noHub.getMessage());
    }

    @Test
    void hfDatasetParquetFilesAreJoinedAndMirroredInTheObjectStore() throws Exception {
        startHub();
        String id = "org/prefs-" + prefix.substring(5, 13);
        hubFiles.put("/api/datasets/" + id + "/parquet", ("{\"default\":{\"test\":[\"" + hubUrl() + "/files/t.parquet\"],"
                + "\"train\":[\"" + hubUrl() + "/files/0.parquet\",\"" + hubUrl() + "/files/1.parquet\"]}}")
                .getBytes(StandardCharsets.UTF_8));
        hubFiles.put("/files/0.parquet", parquet("select * from (values ('a'), ('b')) t(chosen)"));
        hubFiles.put("/files/1.parquet", parquet("select 'c' as chosen"));
        hubFiles.put("/files/t.parquet", parquet("select 'test' as chosen"));

        Path file = new Artifacts(store, work.resolve("cache"), new HubClient(hubUrl(), null))
                .dataset(DatasetSpec.of("hf://datasets/" + id));
        assertEquals(List.of("a", "b", "c"), column(file));
        assertTrue(store.exists("cache/datasets/hf/" + id + "/_COMPLETE"));

        // a second machine without hub access restores the files from the object store
        Path again = new Artifacts(store, work.resolve("cache2"), null).dataset(DatasetSpec.of("hf://datasets/" + id));
        assertEquals(List.of("a", "b", "c"), column(again));
    }

    @Test
    void s3DatasetObjectDownloadUploadRoundTripAndErrorsNameTheUri() throws IOException {
        store.putBytes(prefix + "data/prefs.jsonl", "{\"x\":1}\n".getBytes(StandardCharsets.UTF_8));
        Artifacts artifacts = new Artifacts(store, work.resolve("cache"), null);
        Path file = artifacts.dataset(DatasetSpec.of("s3://orpo/" + prefix + "data/prefs.jsonl"));
        assertEquals("prefs.jsonl", file.getFileName().toString());
        assertEquals("{\"x\":1}\n", Files.readString(file));
        assertEquals(file.getFileName(), artifacts.dataset(DatasetSpec.of("s3://orpo/" + prefix + "data/")).getFileName());

        Path out = Files.createDirectories(work.resolve("out/sub"));
        Files.writeString(out.resolve("a.txt"), "A");
        Map<String, String> hashes = artifacts.upload(work.resolve("out"), "s3://orpo/" + prefix + "up/");
        assertEquals(List.of("sub/a.txt"), new ArrayList<>(hashes.keySet()));
        Path back = artifacts.download("s3://orpo/" + prefix + "up/", work.resolve("back"));
        assertEquals("A", Files.readString(back.resolve("sub/a.txt")));
        assertEquals("A", Files.readString(artifacts.download("s3://orpo/" + prefix + "up/sub/a.txt", work.resolve("one"))));

        String missing = "s3://orpo/" + prefix + "nope.jsonl";
        ArtifactException e = assertThrows(ArtifactException.class, () -> artifacts.dataset(DatasetSpec.of(missing)));
        assertTrue(e.getMessage().contains(missing), e.getMessage());
    }

    private void startHub() throws IOException {
        hub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hub.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            hubRequests.add(path);
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (auth != null) {
                authHeaders.add(auth);
            }
            byte[] body = hubFiles.get(path);
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            try (OutputStream os = exchange.getResponseBody()) {
                if (body != null) {
                    os.write(body);
                }
            }
        });
        hub.start();
    }

    private String hubUrl() {
        return "http://127.0.0.1:" + hub.getAddress().getPort();
    }

    private byte[] parquet(String select) throws Exception {
        Path f = work.resolve(UUID.randomUUID() + ".parquet");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            st.execute("COPY (" + select + ") TO '" + f + "' (FORMAT parquet)");
        }
        return Files.readAllBytes(f);
    }

    private static List<String> column(Path parquet) throws Exception {
        List<String> values = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT chosen FROM read_parquet('" + parquet + "')")) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}

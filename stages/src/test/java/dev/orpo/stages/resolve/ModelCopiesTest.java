package dev.orpo.stages.resolve;

import dev.orpo.contracts.ObjectStoreLayout;
import dev.orpo.contracts.request.FieldError;
import dev.orpo.contracts.request.ModelSpec;
import dev.orpo.contracts.request.RequestParser;
import dev.orpo.stages.SharedS3;
import dev.orpo.stages.merge.StandInHub;
import dev.orpo.store.ObjectStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Uploads ({@link StoreUpload}) and model copies ({@link Artifacts#mirror}) against a real S3 server (S3Proxy) and
 * the stand-in hub: content-addressed prefixes, resume, manifest checks, one hub download per (id, revision).
 */
class ModelCopiesTest {
    private static final ObjectStore store = SharedS3.store();

    @TempDir
    Path work;
    private final String name = "tiny-" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    void uploadIsContentAddressedAsSha256sumComputesItAndResumesWithTheManifestLast() throws Exception {
        Path model = model(work.resolve(name));
        List<String> events = new ArrayList<>();
        long[] lastSent = new long[1];
        StoreUpload.Result r = StoreUpload.upload(store, model, name, new StoreUpload.Listener() {
            @Override
            public void progress(StoreManifest.Entry file, long sent) {
                if (file.path().endsWith("00001-of-00002.safetensors")) {
                    lastSent[0] = sent;
                }
            }

            @Override
            public void uploaded(StoreManifest.Entry file) {
                events.add("uploaded " + file.path());
            }
        });

        String sha = shellContentSha(model);
        assertEquals("s3://orpo/models/" + name + "@" + sha + "/", r.uri());
        assertEquals(List.of("config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
                "model.safetensors.index.json", "tokenizer.json", "tokenizer_config.json"),
                r.manifest().files().stream().map(StoreManifest.Entry::path).toList(), "no hidden files");
        assertEquals(Files.size(model.resolve("model-00001-of-00002.safetensors")), lastSent[0]);
        assertEquals(6, events.size());
        String prefix = "models/" + name + "@" + sha + "/";
        assertTrue(store.exists(prefix + ObjectStoreLayout.MANIFEST));

        // an interrupted upload: one shard and the manifest missing; the prefix is refused until the upload resumes
        store.delete(prefix + "model-00002-of-00002.safetensors");
        store.delete(prefix + ObjectStoreLayout.MANIFEST);
        ArtifactException partial = assertThrows(ArtifactException.class,
                () -> new Artifacts(store, work.resolve("c0"), null).model(ModelSpec.of(r.uri())));
        assertTrue(partial.getMessage().contains("never finished"), partial.getMessage());
        StoreUpload.Result again = StoreUpload.upload(store, model, name, StoreUpload.Listener.NONE);
        assertEquals(r.uri(), again.uri());
        assertEquals(1, again.uploadedFiles());
        assertEquals(5, again.skippedFiles());

        Path read = new Artifacts(store, work.resolve("c1"), null).model(ModelSpec.of(again.uri()));
        for (StoreManifest.Entry e : r.manifest().files()) {
            assertArrayEquals(Files.readAllBytes(model.resolve(e.path())), Files.readAllBytes(read.resolve(e.path())));
        }
        assertFalse(Files.exists(read.resolve(ObjectStoreLayout.MANIFEST)));
    }

    @Test
    void readersCheckEveryFileAgainstTheManifestAndTheTokenizerNeedsNoWeights() throws Exception {
        Path model = model(work.resolve(name));
        String uri = StoreUpload.upload(store, model, name, StoreUpload.Listener.NONE).uri();

        Path tokenizer = new Artifacts(store, work.resolve("c1"), null).tokenizer(ModelSpec.of(uri));
        try (var files = Files.list(tokenizer)) {
            assertEquals(List.of("config.json", "tokenizer.json", "tokenizer_config.json"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }

        // replaced behind the manifest's back (the object's own recorded hash matches its new bytes)
        String key = uri.substring("s3://orpo/".length()) + "config.json";
        store.putBytes(key, "{\"hidden_size\": 9}".getBytes(StandardCharsets.UTF_8));
        ArtifactException e = assertThrows(ArtifactException.class,
                () -> new Artifacts(store, work.resolve("c2"), null).model(ModelSpec.of(uri)));
        assertTrue(e.getCause().getMessage().contains("the manifest says sha256"), e.getCause().getMessage());
    }

    @Test
    void hubModelIsCopiedOnceAndLaterStagesReadTheCopyWithoutHubAccess() throws Exception {
        String repo = "org/" + name;
        try (StandInHub hub = new StandInHub("alice", "hf_read", 10L << 20, 5L << 20)) {
            Path files = model(work.resolve("hub-files"));
            Map<String, byte[]> seeded = new TreeMap<>();
            for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json",
                    "model.safetensors.index.json", "model-00001-of-00002.safetensors",
                    "model-00002-of-00002.safetensors")) {
                seeded.put(f, Files.readAllBytes(files.resolve(f)));
            }
            hub.seed(repo, seeded);
            Artifacts withHub = new Artifacts(store, work.resolve("c1"), new HubClient(hub.url(), "hf_read"));

            ModelSpec copied = withHub.mirror(ModelSpec.of(repo), work.resolve("scratch"));
            assertEquals("s3://orpo/models/hub/org/" + name + "@main/", copied.mirrorUri());
            assertEquals(repo, copied.nameOrPath(), "adapter_config.json and the model card keep the hub id");
            StoreManifest m = StoreCache.manifest(store, new dev.orpo.store.S3Uri("orpo", "models/hub/org/" + name
                    + "@main/"));
            assertEquals("hf://" + repo + "@main", m.source());
            assertEquals(seeded.keySet(), new java.util.TreeSet<>(m.files().stream().map(StoreManifest.Entry::path)
                    .toList()));
            try (var left = Files.list(work.resolve("scratch"))) {
                assertTrue(left.noneMatch(p -> p.toString().endsWith(".safetensors")), "shards leave the scratch dir");
            }
            int requests = hub.requests().size();
            assertEquals(copied, withHub.mirror(ModelSpec.of(repo), work.resolve("scratch2")));
            assertEquals(requests, hub.requests().size(), "a second run finds the copy");

            Artifacts noHub = new Artifacts(store, work.resolve("c2"), null);
            Path read = noHub.model(copied);
            assertArrayEquals(seeded.get("model-00002-of-00002.safetensors"),
                    Files.readAllBytes(read.resolve("model-00002-of-00002.safetensors")));
            assertTrue(Files.isRegularFile(noHub.model(ModelSpec.of(repo)).resolve("config.json")));
            assertTrue(Files.isRegularFile(noHub.tokenizer(ModelSpec.of(repo)).resolve("tokenizer.json")));
            assertEquals(List.of(), noHub.hubAccessErrors(RequestParser.parse("model: {name_or_path: " + repo
                    + "}\ndataset: {uri: s3://orpo/d.jsonl}\n", true)), "the copy serves the hub id");
            assertEquals(requests, hub.requests().size(), "no hub request without hub access");
        }
    }

    @Test
    void localModelDirectoryIsCopiedAsAnUploadWouldBe() throws Exception {
        Path model = model(work.resolve(name));
        ModelSpec copied = new Artifacts(store, work.resolve("c"), null).mirror(ModelSpec.of(model.toString()),
                work.resolve("scratch"));
        assertEquals("s3://orpo/models/" + name + "@" + shellContentSha(model) + "/", copied.mirrorUri());
        assertEquals(model.toString(), copied.nameOrPath());
        ModelSpec s3 = ModelSpec.of(copied.mirrorUri());
        assertEquals(s3, new Artifacts(store, work.resolve("c"), null).mirror(s3, work), "s3 models are read as is");
    }

    @Test
    void withoutHubAccessEveryHubFieldFailsWithHowToUpload() {
        var request = RequestParser.parse("model: {name_or_path: meta-llama/Meta-Llama-3-8B}\n"
                + "dataset: {uri: 'hf://datasets/mlabonne/orpo-dpo-mix-40k'}\nmerge: {push_to_hub: me/tuned}\n", true);
        List<FieldError> errors = new Artifacts(store, work.resolve("c"), null).hubAccessErrors(request);
        assertEquals(List.of("model.name_or_path", "dataset.uri", "merge.push_to_hub"),
                errors.stream().map(FieldError::path).toList());
        assertTrue(errors.get(0).reason().contains("orpo upload /path/to/model"), errors.get(0).reason());
        assertTrue(errors.get(1).reason().contains("orpo upload FILE"), errors.get(1).reason());
        assertEquals(List.of(), new Artifacts(store, work.resolve("c"), new HubClient("http://127.0.0.1:9", null))
                .hubAccessErrors(request));
    }

    /** A sharded model directory (shard 1 above the 16 MiB multipart threshold) plus a hidden file. */
    private static Path model(Path dir) throws IOException {
        Files.createDirectories(dir.resolve(".git"));
        Files.writeString(dir.resolve(".git/HEAD"), "ref: refs/heads/main\n");
        Files.writeString(dir.resolve("config.json"), "{\"hidden_size\": 8}");
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {}}");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{}");
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\": {\"a\": "
                + "\"model-00001-of-00002.safetensors\", \"b\": \"model-00002-of-00002.safetensors\"}}");
        byte[] big = new byte[(17 << 20) + 5];
        new Random(3).nextBytes(big);
        Files.write(dir.resolve("model-00001-of-00002.safetensors"), big);
        Files.write(dir.resolve("model-00002-of-00002.safetensors"), new byte[]{1, 2, 3});
        return dir;
    }

    /** The recipe docs/events.md gives users, run by the shell. */
    private static String shellContentSha(Path dir) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", "cd '" + dir + "' && find . -type f -not -path '*/.*' -printf "
                + "'%P\\n' | LC_ALL=C sort | xargs -d '\\n' sha256sum | sha256sum | cut -c1-12").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor());
        return out;
    }
}

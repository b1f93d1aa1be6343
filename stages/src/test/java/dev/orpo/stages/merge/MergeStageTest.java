package dev.orpo.stages.merge;

import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.ObjectStoreLayout;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.deploy.local.LocalStack;
import dev.orpo.deploy.local.StackEndpoints;
import dev.orpo.model.merge.AdapterMerger;
import dev.orpo.model.merge.MergeOptions;
import dev.orpo.stages.StageFailure;
import dev.orpo.stages.resolve.Artifacts;
import dev.orpo.store.ObjectStore;
import dev.orpo.store.ObjectStoreConfig;
import dev.orpo.store.Sha256;
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
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MergeStageTest {
    @TempDir
    static Path shared;
    private static LocalStack stack;
    private static ObjectStore store;
    private static final ObjectStoreLayout LAYOUT = ObjectStoreLayout.defaults();

    @TempDir
    Path work;

    @BeforeAll
    static void start() {
        stack = LocalStack.ephemeral(shared.resolve("stack"));
        StackEndpoints e = stack.up(Duration.ofSeconds(90));
        store = new ObjectStore(ObjectStoreConfig.of(e.s3Endpoint(), e.accessKey(), e.secretKey()));
    }

    @AfterAll
    static void stop() {
        stack.down();
    }

    private TrainingRequest request(String baseUri, String dtype) {
        return Json.fromBytes(("{\"model\": {\"name_or_path\": \"" + baseUri + "\"}, \"dataset\": {\"uri\": "
                + "\"s3://orpo/data/prefs.parquet\"}, \"merge\": {\"dtype\": " + (dtype == null ? "null" : "\"" + dtype
                + "\"") + "}}").getBytes(StandardCharsets.UTF_8), TrainingRequest.class);
    }

    @Test
    void finalMergeUploadsTheSameBytesAsALocalMergeWithTheRunsTokenizerAndCompleteLast() throws Exception {
        String runId = "run-" + UUID.randomUUID().toString().substring(0, 8);
        Path base = TinyMergeInputs.base(work.resolve("base"));
        Path adapter = TinyMergeInputs.adapter(work.resolve("adapter"), false);
        store.putDirectory("tests/" + runId + "/base/", base);
        store.putDirectory(LAYOUT.checkpointPrefix(runId, 4), adapter);
        store.putDirectory(LAYOUT.datasetPrefix(runId) + "tokenizer/", TinyMergeInputs.tokenizer(work.resolve("tok")));
        MergeStage.Target target = new MergeStage.Target(runId, 4, true, LAYOUT.uri(LAYOUT.checkpointPrefix(runId, 4)),
                Map.of("train_loss", 1.25), request("s3://orpo/tests/" + runId + "/base/", "float32"));
        assertTrue(MergeStage.completed(store, LAYOUT, target).isEmpty());

        MergeStage.Merged m = new MergeStage().run(target, new Artifacts(store, work.resolve("cache"), null), LAYOUT,
                work.resolve("w"));
        assertEquals("s3://orpo/runs/" + runId + "/merged/", m.modelUri());
        assertEquals("float32", m.dtype());
        assertEquals(m, MergeStage.completed(store, LAYOUT, target).orElseThrow());

        // what `orpo merge` writes for the adapter directory with the run's tokenizer in it
        TinyMergeInputs.tokenizer(adapter);
        Path local = work.resolve("local");
        AdapterMerger.merge(base, adapter, local, MergeOptions.defaults().withOutputDtype(
                dev.orpo.model.io.DType.F32));
        try (var files = Files.list(local)) {
            for (Path f : files.toList()) {
                assertEquals(Sha256.of(f), m.files().get(f.getFileName().toString()), f.getFileName().toString());
            }
        }
        assertEquals(Sha256.of(adapter.resolve("tokenizer.json")), m.files().get("tokenizer.json"));
        String card = new String(store.getBytes(LAYOUT.mergedPrefix(runId) + "README.md"), StandardCharsets.UTF_8);
        assertTrue(card.contains("base_model: s3://orpo/tests/" + runId + "/base/") && card.contains("train_loss")
                && card.contains("lora_alpha"), card);
    }

    @Test
    void intermediateStepGoesToItsOwnPrefix() throws Exception {
        String runId = "run-" + UUID.randomUUID().toString().substring(0, 8);
        Path base = TinyMergeInputs.base(work.resolve("base"));
        store.putDirectory(LAYOUT.checkpointPrefix(runId, 2), TinyMergeInputs.adapter(work.resolve("adapter"), false));
        MergeStage.Target target = new MergeStage.Target(runId, 2, false, LAYOUT.uri(LAYOUT.checkpointPrefix(runId, 2)),
                Map.of(), request(base.toString(), null));
        MergeStage.Merged m = new MergeStage().run(target, new Artifacts(store, work.resolve("cache"), null), LAYOUT,
                work.resolve("w"));
        assertEquals("s3://orpo/runs/" + runId + "/merged/step-2/", m.modelUri());
        assertEquals("float32", m.dtype()); // the synthetic base is fp32
        assertTrue(store.exists("runs/" + runId + "/merged/step-2/_COMPLETE"));
        assertFalse(store.exists("runs/" + runId + "/merged/_COMPLETE"));
    }

    @Test
    void adapterOfAnotherBaseFailsNamingTheTensor() throws Exception {
        String runId = "run-" + UUID.randomUUID().toString().substring(0, 8);
        Path base = TinyMergeInputs.base(work.resolve("base"));
        store.putDirectory(LAYOUT.checkpointPrefix(runId, 2), TinyMergeInputs.adapter(work.resolve("adapter"), true));
        MergeStage.Target target = new MergeStage.Target(runId, 2, true, LAYOUT.uri(LAYOUT.checkpointPrefix(runId, 2)),
                Map.of(), request(base.toString(), null));
        StageFailure f = assertThrows(StageFailure.class, () -> new MergeStage().run(target,
                new Artifacts(store, work.resolve("cache"), null), LAYOUT, work.resolve("w")));
        assertEquals("merge", f.stage());
        assertTrue(f.errors().stream().anyMatch(e -> e.path().contains("q_proj.lora_A")), f.errors().toString());
        assertFalse(store.exists("runs/" + runId + "/merged/_COMPLETE"));
    }

    private MergeStage.Target pushTarget(String runId) throws Exception {
        Path base = TinyMergeInputs.base(work.resolve(runId).resolve("base"));
        store.putDirectory(LAYOUT.checkpointPrefix(runId, 3),
                TinyMergeInputs.adapter(work.resolve(runId).resolve("adapter"), false));
        TrainingRequest request = Json.fromBytes(("{\"model\": {\"name_or_path\": \"" + base + "\"}, \"dataset\":"
                + " {\"uri\": \"s3://orpo/d.jsonl\"}, \"merge\": {\"push_to_hub\": \"alice/" + runId + "\", \"hub_private_repo\": true}}")
                .getBytes(StandardCharsets.UTF_8), TrainingRequest.class);
        return new MergeStage.Target(runId, 3, true, LAYOUT.uri(LAYOUT.checkpointPrefix(runId, 3)), Map.of(), request);
    }

    @Test
    void pushToHubCommitsTheStoredFilesToTheRepoAfterTheUpload() throws Exception {
        String runId = "run-" + UUID.randomUUID().toString().substring(0, 8);
        try (StandInHub hub = new StandInHub("alice", "hf_tok", 10 << 20, 5 << 20)) {
            MergeStage.Merged m = new MergeStage(new HubPush(hub.url(), "hf_tok")).run(pushTarget(runId),
                    new Artifacts(store, work.resolve("cache"), null), LAYOUT, work.resolve("w"));
            StandInHub.Repo repo = hub.repo("alice/" + runId);
            assertEquals(m.files().keySet(), repo.files().keySet()); // every stored file but _COMPLETE
            for (Map.Entry<String, byte[]> f : repo.files().entrySet()) {
                assertEquals(m.files().get(f.getKey()), Sha256.of(f.getValue()), f.getKey());
                assertEquals(m.files().get(f.getKey()), store.storedSha256(LAYOUT.mergedPrefix(runId) + f.getKey())
                        .orElseThrow(), f.getKey());
            }
            assertEquals(List.of("ORPO run " + runId + ": merged model"), repo.commits());
            assertTrue(repo.privateRepo(), "merge.hub_private_repo");
        }
    }

    @Test
    void failedPushNamesTheRepoAndLeavesTheStoreCopyComplete() throws Exception {
        String runId = "run-" + UUID.randomUUID().toString().substring(0, 8);
        try (StandInHub hub = new StandInHub("alice", "hf_tok", 10 << 20, 5 << 20)) {
            MergeStage.Target target = pushTarget(runId);
            StageFailure f = assertThrows(StageFailure.class, () -> new MergeStage(new HubPush(hub.url(), "hf_bad"))
                    .run(target, new Artifacts(store, work.resolve("cache"), null), LAYOUT, work.resolve("w")));
            assertEquals("merge", f.stage());
            assertTrue(f.getMessage().startsWith("cannot push the merged model to hub repo alice/" + runId + ": ")
                    && f.getMessage().contains("token rejected")
                    && f.getMessage().endsWith("(the merged model is complete at s3://orpo/runs/" + runId + "/merged/)"),
                    f.getMessage());
            assertEquals("merge.push_to_hub", f.errors().get(0).path());
            assertTrue(MergeStage.completed(store, LAYOUT, target).isPresent());
            assertTrue(store.exists(LAYOUT.mergedPrefix(runId) + "model.safetensors"));
            StageFailure noHub = assertThrows(StageFailure.class, () -> new MergeStage().run(pushTarget(runId + "-b"),
                    new Artifacts(store, work.resolve("cache"), null), LAYOUT, work.resolve("w")));
            assertTrue(noHub.getMessage().contains("hub access is disabled"), noHub.getMessage());
        }
    }
}

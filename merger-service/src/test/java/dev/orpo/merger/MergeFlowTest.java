package dev.orpo.merger;

import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.ObjectStoreLayout;
import dev.orpo.contracts.RunIds;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.contracts.events.ModelMerged;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.contracts.events.TrainingCompleted;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.model.io.DType;
import dev.orpo.model.merge.AdapterMerger;
import dev.orpo.model.merge.MergeOptions;
import dev.orpo.stages.merge.MergeStage;
import dev.orpo.stages.merge.TinyMergeInputs;
import dev.orpo.stages.resolve.Artifacts;
import dev.orpo.store.ObjectStore;
import dev.orpo.store.Sha256;
import dev.orpo.testing.PipelineStackResource;
import dev.orpo.testing.SharedStackTest;
import dev.orpo.testing.ServiceHttp;
import dev.orpo.testing.TestTopics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The merge itself, on the real broker and S3 server: checkpoint in, merged model in S3 and ModelMerged out. */
@QuarkusTest
@WithTestResource(PipelineStackResource.class)
class MergeFlowTest extends SharedStackTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectStoreLayout LAYOUT = ObjectStoreLayout.defaults();

    @TestHTTPResource("/")
    URI base;

    @Inject
    ObjectStore store;

    private static TrainingRequest request(String baseUri) {
        return Json.fromBytes(("{\"model\": {\"name_or_path\": \"" + baseUri + "\"}, \"dataset\": {\"uri\": "
                + "\"s3://orpo/d.jsonl\"}, \"merge\": {\"dtype\": \"float32\"}}").getBytes(StandardCharsets.UTF_8),
                TrainingRequest.class);
    }

    private CheckpointSaved finalCheckpoint(String runId, TrainingRequest request) {
        return new CheckpointSaved(PipelineEvent.newEventId(), runId, 1, Instant.now(), null, 4, 4,
                LAYOUT.uri(LAYOUT.checkpointPrefix(runId, 4)), Map.of(), Map.of("train_loss", 0.75), true, request);
    }

    @Test
    void finalCheckpointIsMergedAsOrpoMergeWouldAndNeverMergedTwice() throws Exception {
        String runId = RunIds.newRunId();
        Path local = Path.of("target/test-inputs").resolve(runId);
        Path baseDir = TinyMergeInputs.base(local.resolve("base"));
        Path adapter = TinyMergeInputs.adapter(local.resolve("adapter"), false);
        store.putDirectory("tests/" + runId + "/base/", baseDir);
        store.putDirectory(LAYOUT.checkpointPrefix(runId, 4), adapter);
        store.putDirectory(LAYOUT.datasetPrefix(runId) + "tokenizer/", TinyMergeInputs.tokenizer(local.resolve("tok")));
        TrainingRequest request = request("s3://orpo/tests/" + runId + "/base/");
        CheckpointSaved saved = finalCheckpoint(runId, request);
        topics.publishEvent(saved);

        ModelMerged merged = TestTopics.value(topics.awaitRecord(Topics.MODEL_MERGED, r -> runId.equals(r.key()), WAIT),
                ModelMerged.class);
        assertEquals(saved.eventId(), merged.causationId());
        assertEquals("s3://orpo/runs/" + runId + "/merged/", merged.modelUri());
        assertEquals(4, merged.step());
        assertEquals("float32", merged.dtype());
        assertEquals(request, merged.request());
        assertTrue(store.exists(LAYOUT.mergedPrefix(runId) + "_COMPLETE"));
        assertTrue(new String(store.getBytes(LAYOUT.mergedPrefix(runId) + "README.md"), StandardCharsets.UTF_8)
                .contains("train_loss"));

        // `orpo merge --model base --adapter <adapter + run tokenizer> --dtype float32` gives the same bytes
        TinyMergeInputs.tokenizer(adapter);
        Path expected = local.resolve("orpo-merge");
        AdapterMerger.merge(baseDir, adapter, expected, MergeOptions.defaults().withOutputDtype(DType.F32));
        try (var files = Files.list(expected)) {
            for (Path f : files.toList()) {
                String key = LAYOUT.mergedPrefix(runId) + f.getFileName();
                assertEquals(Sha256.of(f), store.storedSha256(key).orElseThrow(), key);
            }
        }

        // TrainingCompleted for the same adapter, then a redelivered CheckpointSaved: both find _COMPLETE
        TrainingCompleted completed = new TrainingCompleted(PipelineEvent.newEventId(), runId, 1, Instant.now(), null,
                4, LAYOUT.uri(LAYOUT.checkpointPrefix(runId, 4)), Map.of(), 3.0, false, request);
        topics.publishEvent(completed);
        await().atMost(WAIT).until(() -> get("/consumed/" + runId).body().contains(completed.eventId()));
        assertTrue(get("/consumed/" + runId).body().contains("already-merged"));
        topics.publishEvent(saved);
        await().atMost(WAIT).until(() -> {
            String body = get("/consumed/" + runId).body();
            return body.contains("checkpoint-saved") && body.contains("already-merged");
        });
        assertEquals(1, topics.awaitRecords(Topics.MODEL_MERGED, r -> runId.equals(r.key()), WAIT).size());
    }

    @Test
    void mergeInterruptedBeforeItsEventIsFinishedOnRedeliveryWithoutMergingAgain() throws Exception {
        String runId = RunIds.newRunId();
        Path local = Path.of("target/test-inputs").resolve(runId).toAbsolutePath();
        store.putDirectory("tests/" + runId + "/base/", TinyMergeInputs.base(local.resolve("base")));
        store.putDirectory(LAYOUT.checkpointPrefix(runId, 4), TinyMergeInputs.adapter(local.resolve("adapter"), false));
        CheckpointSaved saved = finalCheckpoint(runId, request("s3://orpo/tests/" + runId + "/base/"));
        // what a merger that crashed right after the upload leaves: the merged model and _COMPLETE, no event
        MergeStage.Target target = new MergeStage.Target(runId, 4, true, saved.checkpointUri(), Map.of(),
                saved.request());
        MergeStage.Merged before = new MergeStage().run(target, new Artifacts(store, local.resolve("cache"), null),
                LAYOUT, local.resolve("work"));
        String sha = store.storedSha256(LAYOUT.mergedPrefix(runId) + "model.safetensors").orElseThrow();

        topics.publishEvent(saved); // the uncommitted record, redelivered

        ModelMerged merged = TestTopics.value(topics.awaitRecord(Topics.MODEL_MERGED, r -> runId.equals(r.key()), WAIT),
                ModelMerged.class);
        assertEquals(before.modelUri(), merged.modelUri());
        assertEquals(before.tensors(), merged.tensors());
        await().atMost(WAIT).until(() -> get("/consumed/" + runId).body().contains("finished " + before.modelUri()));
        assertTrue(MergeStage.published(store, LAYOUT, target));
        assertEquals(sha, store.storedSha256(LAYOUT.mergedPrefix(runId) + "model.safetensors").orElseThrow());
    }

    @Test
    void adapterOfAnotherBaseEndsTheRunWithRunFailedNamingTheTensor() throws Exception {
        String runId = RunIds.newRunId();
        Path local = Path.of("target/test-inputs").resolve(runId).toAbsolutePath();
        Path baseDir = TinyMergeInputs.base(local.resolve("base"));
        store.putDirectory(LAYOUT.checkpointPrefix(runId, 4), TinyMergeInputs.adapter(local.resolve("adapter"), true));
        CheckpointSaved saved = finalCheckpoint(runId, request(baseDir.toString()));
        topics.publishEvent(saved);

        RunFailed failed = TestTopics.value(topics.awaitRecord(Topics.RUN_FAILED, r -> runId.equals(r.key()), WAIT),
                RunFailed.class);
        assertEquals("merge", failed.stage());
        assertEquals(saved.eventId(), failed.causationId());
        assertTrue(failed.errors().stream().anyMatch(e -> e.path().contains("q_proj.lora_A")), failed.errors().toString());
        assertTrue(!store.exists(LAYOUT.mergedPrefix(runId) + "_COMPLETE"));
    }

    private HttpResponse<String> get(String path) {
        return ServiceHttp.get(base, path);
    }
}

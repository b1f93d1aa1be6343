package dev.orpo.dataset;

import dev.orpo.contracts.CloudEventHeaders;
import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.RunIds;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.DatasetPrepared;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.contracts.events.TrainingRequested;
import dev.orpo.contracts.request.FieldError;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.stages.prepare.PairShards;
import dev.orpo.stages.prepare.PrepareResult;
import dev.orpo.stages.prepare.PrepareStage;
import dev.orpo.stages.prepare.PrepareStageConfig;
import dev.orpo.testing.PipelineStackResource;
import dev.orpo.testing.ServiceContract;
import dev.orpo.testing.ServiceContractTest;
import dev.orpo.testing.ServiceHttp;
import dev.orpo.testing.TestTopics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * dataset-service against a real broker and S3 server: the service contract (channels, DLQs, poison); prepares valid
 * requests (DatasetPrepared, shards in the store) once, however often delivered; fails unusable and invalid ones
 * (RunFailed).
 */
@QuarkusTest
@WithTestResource(PipelineStackResource.class)
class DatasetServiceTest extends ServiceContractTest {
    /** First preparation loads the tokenizer natives and DuckDB: slow on a busy 2-core machine. */
    private static final Duration PREPARE_WAIT = Duration.ofSeconds(120);

    @Override
    protected ServiceContract contract() {
        return new ServiceContract(List.of(new ServiceContract.In("training-requested", Topics.TRAINING_REQUESTED,
                        Topics.DLQ_DATASET_TRAINING_REQUESTED, TrainingRequested.class,
                        runId -> TrainingRequested.of(runId, request("{\"lora\": {\"r\": 0}}")), "failed")),
                List.of(new ServiceContract.Out("dataset-prepared", Topics.DATASET_PREPARED),
                        new ServiceContract.Out("run-failed", Topics.RUN_FAILED)));
    }

    @Test
    void validRequestIsPreparedIntoShardsInTheStoreAndAnnouncedOnceEvenWhenDeliveredTwice() throws Exception {
        String runId = RunIds.newRunId();
        Path local = Path.of("target/test-inputs").resolve(runId);
        Path model = TinyData.tokenizer(local.resolve("model"));
        Path data = TinyData.jsonl(local.resolve("data/prefs.jsonl"), 12, true);
        store.putDirectory("tests/" + runId + "/model/", model);
        store.putFile("tests/" + runId + "/prefs.jsonl", data);
        TrainingRequested requested = TrainingRequested.of(runId, Json.fromBytes(("{\"model\": {\"name_or_path\": "
                + "\"s3://orpo/tests/" + runId + "/model/\"}, \"dataset\": {\"uri\": \"s3://orpo/tests/" + runId
                + "/prefs.jsonl\"}}").getBytes(StandardCharsets.UTF_8), TrainingRequest.class));
        topics.publishEvent(requested);

        var record = topics.awaitRecord(Topics.DATASET_PREPARED, r -> runId.equals(r.key()), PREPARE_WAIT);
        DatasetPrepared prepared = TestTopics.value(record, DatasetPrepared.class);
        assertEquals(requested.eventId(), prepared.causationId());
        assertEquals(requested.request(), prepared.request());
        assertEquals("s3://orpo/runs/" + runId + "/dataset/", prepared.datasetUri());
        assertEquals(1, prepared.rejectedRows()); // the null chosen
        assertEquals(12, prepared.trainRows() + prepared.testRows());
        assertEquals(TinyData.SPECIALS.size() + TinyData.WORDS.size(), prepared.vocabSize());
        assertEquals("dev.orpo.DatasetPrepared.v1", TestTopics.header(record, CloudEventHeaders.TYPE));

        Path down = local.resolve("down");
        store.getDirectory("runs/" + runId + "/dataset/", down);
        long pairs = 0;
        try (var files = Files.list(down)) {
            for (Path shard : files.filter(f -> f.getFileName().toString().matches("(train|test)-.*\\.jsonl")).toList()) {
                pairs += PairShards.read(shard).size();
            }
        }
        assertEquals(12, pairs);
        assertTrue(Files.isRegularFile(down.resolve("tokenizer/tokenizer.json")));
        // Prometheus: the stage's duration and the event it produced
        String metrics = get("/q/metrics").body();
        assertTrue(metrics.contains("orpo_stage_duration_seconds_count{stage=\"dataset\"}"), metrics);
        assertTrue(metrics.contains("orpo_events_produced_total{type=\"DatasetPrepared\"}"), metrics);

        // the service's bytes are what `orpo prepare` (PrepareStage.prepareLocal) writes for the same input
        PrepareResult same = new PrepareStage(PrepareStageConfig.DEFAULTS)
                .prepareLocal(requested.request(), model, data, local.resolve("local"));
        assertEquals(same.manifestSha256(), prepared.manifestSha256());
        assertArrayEquals(Files.readAllBytes(local.resolve("local/manifest.json")),
                Files.readAllBytes(down.resolve("manifest.json")));
        await().atMost(WAIT).until(() -> get("/consumed/" + runId).body().contains("\"outcome\":\"accepted\""));

        topics.publishEvent(requested); // duplicate delivery: neither prepared nor announced again
        await().atMost(WAIT).until(() -> get("/consumed/" + runId).body().contains("already-prepared"));
        assertTrue(get("/consumed/" + runId).body().contains("already announced"));
        assertEquals(1, topics.awaitRecords(Topics.DATASET_PREPARED, r -> runId.equals(r.key()), WAIT).size());

        // a crash between the upload and the event leaves no _PUBLISHED marker: the redelivery announces the stored
        // result, under the same event id (the run's one DatasetPrepared)
        store.delete("runs/" + runId + "/dataset/_PUBLISHED");
        topics.publishEvent(requested);
        var all = await().atMost(WAIT).until(
                () -> topics.awaitRecords(Topics.DATASET_PREPARED, r -> runId.equals(r.key()), WAIT), l -> l.size() >= 2);
        DatasetPrepared again = TestTopics.value(all.get(1), DatasetPrepared.class);
        assertEquals(prepared.eventId(), again.eventId());
        assertEquals(prepared.manifestSha256(), again.manifestSha256());
        assertTrue(store.exists("runs/" + runId + "/dataset/_PUBLISHED"));
        String counter = get("/q/metrics").body().lines()
                .filter(l -> l.startsWith("orpo_events_consumed_total{") && l.contains("outcome=\"accepted\""))
                .findFirst().orElse("");
        assertTrue(counter.contains("channel=\"training-requested\""), counter);
    }

    @Test
    void unreadableDatasetEndsTheRunWithRunFailedNamingTheFile() throws Exception {
        String runId = RunIds.newRunId();
        Path local = Path.of("target/test-inputs").resolve(runId).toAbsolutePath();
        Path model = TinyData.tokenizer(local.resolve("model"));
        Path data = Files.writeString(local.resolve("broken.parquet"), "not parquet at all");
        TrainingRequested requested = TrainingRequested.of(runId, Json.fromBytes(("{\"model\": {\"name_or_path\": "
                + "\"" + model + "\"}, \"dataset\": {\"uri\": \"" + data + "\"}}")
                .getBytes(StandardCharsets.UTF_8), TrainingRequest.class));
        topics.publishEvent(requested);

        RunFailed failed = TestTopics.value(topics.awaitRecord(Topics.RUN_FAILED, r -> runId.equals(r.key()),
                PREPARE_WAIT), RunFailed.class);
        assertEquals("dataset", failed.stage());
        assertEquals(requested.eventId(), failed.causationId());
        assertTrue(failed.reason().contains("broken.parquet"), failed.reason());
        assertEquals("dataset.uri", failed.errors().get(0).path());
        await().atMost(WAIT).until(() -> get("/consumed/" + runId).body().contains("\"outcome\":\"failed\""));
        assertFalse(store.exists("runs/" + runId + "/dataset/manifest.json"));
    }

    @Test
    void localModelIsCopiedToTheStoreAndTheAnnouncedRequestReadsTheCopy() throws Exception {
        String runId = RunIds.newRunId();
        Path local = Path.of("target/test-inputs").resolve(runId).toAbsolutePath();
        Path model = TinyData.tokenizer(local.resolve("tiny-model"));
        Path data = TinyData.jsonl(local.resolve("prefs.jsonl"), 8, false);
        topics.publishEvent(TrainingRequested.of(runId, Json.fromBytes(("{\"model\": {\"name_or_path\": \""
                + model + "\"}, \"dataset\": {\"uri\": \"" + data + "\"}}").getBytes(StandardCharsets.UTF_8),
                TrainingRequest.class)));

        DatasetPrepared prepared = TestTopics.value(topics.awaitRecord(Topics.DATASET_PREPARED,
                r -> runId.equals(r.key()), PREPARE_WAIT), DatasetPrepared.class);
        assertEquals(model.toString(), prepared.request().model().nameOrPath());
        String copy = prepared.request().model().mirrorUri();
        assertTrue(copy.matches("s3://orpo/models/tiny-model@[0-9a-f]{12}/"), copy);
        String key = copy.substring("s3://orpo/".length());
        assertTrue(store.exists(key + "_MANIFEST.json") && store.exists(key + "tokenizer.json"), copy);
    }

    @Test
    void hubIdWithoutHubAccessIsRejectedAtValidationWithHowToUploadInstead() {
        String runId = RunIds.newRunId();
        topics.publishEvent(TrainingRequested.of(runId, Json.fromBytes(("{\"model\": {\"name_or_path\": "
                + "\"meta-llama/Meta-Llama-3-8B\"}, \"dataset\": {\"uri\": \"s3://orpo/d.jsonl\"}}")
                .getBytes(StandardCharsets.UTF_8), TrainingRequest.class)));

        RunFailed failed = TestTopics.value(topics.awaitRecord(Topics.RUN_FAILED, r -> runId.equals(r.key()), WAIT),
                RunFailed.class);
        assertEquals("request", failed.stage());
        assertEquals("model.name_or_path", failed.errors().get(0).path());
        assertTrue(failed.errors().get(0).reason().contains("orpo.hub.enabled=false")
                && failed.errors().get(0).reason().contains("orpo upload"), failed.errors().toString());
    }

    @Test
    void invalidRequestEndsTheRunWithRunFailedListingEveryBadField() {
        String runId = RunIds.newRunId();
        TrainingRequested requested = TrainingRequested.of(runId,
                request("{\"lora\": {\"r\": 0}, \"training\": {\"beta\": -1}}"));
        topics.publishEvent(requested);

        var record = topics.awaitRecord(Topics.RUN_FAILED, r -> runId.equals(r.key()), WAIT);
        RunFailed failed = TestTopics.value(record, RunFailed.class);
        assertEquals("request", failed.stage());
        assertEquals(requested.eventId(), failed.causationId());
        assertTrue(failed.errors().stream().map(FieldError::path).toList().containsAll(
                List.of("lora.r", "training.beta")), failed.errors().toString());
        String wire = new String(record.value(), StandardCharsets.UTF_8);
        assertTrue(wire.contains("\"run_id\":\"" + runId + "\"") && wire.contains("\"causation_id\""), wire);
        assertEquals("dev.orpo.RunFailed.v1", TestTopics.header(record, CloudEventHeaders.TYPE));
        assertEquals("/orpo/dataset-service", TestTopics.header(record, CloudEventHeaders.SOURCE));
        assertEquals(failed.eventId(), TestTopics.header(record, CloudEventHeaders.ID));
        await().atMost(WAIT).until(() -> get("/consumed/" + runId).body().contains("\"outcome\":\"failed\""));
    }

    /** A request with a tiny model and dataset, plus {@code overrides} (JSON object) merged in. */
    private static TrainingRequest request(String overrides) {
        String base = "{\"model\": {\"name_or_path\": \"tiny-llama\"}, \"dataset\": {\"uri\": \"s3://orpo/d.jsonl\"}";
        String inner = overrides.strip();
        String json = inner.equals("{}") ? base + "}" : base + ", " + inner.substring(1);
        return Json.fromBytes(json.getBytes(StandardCharsets.UTF_8), TrainingRequest.class);
    }

    private HttpResponse<String> get(String path) {
        return ServiceHttp.get(base, path);
    }
}

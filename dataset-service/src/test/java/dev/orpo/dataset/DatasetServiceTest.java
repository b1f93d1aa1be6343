package dev.orpo.dataset;

import dev.orpo.contracts.CloudEventHeaders;
import dev.orpo.contracts.Json;
import dev.orpo.contracts.RunIds;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.contracts.events.TrainingRequested;
import dev.orpo.contracts.request.FieldError;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.store.ObjectStore;
import dev.orpo.testing.PipelineStackResource;
import dev.orpo.testing.TestTopics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** dataset-service against a real broker: consumes requests, rejects invalid ones, dead-letters malformed ones. */
@QuarkusTest
@WithTestResource(PipelineStackResource.class)
class DatasetServiceTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static TestTopics topics;

    @TestHTTPResource("/")
    URI base;

    @Inject
    ObjectStore store;

    @BeforeAll
    static void connect() {
        topics = TestTopics.forSharedStack();
    }

    @AfterAll
    static void close() {
        topics.close();
    }

    @Test
    void validRequestIsConsumedAndCounted() {
        String runId = RunIds.newRunId();
        topics.publishEvent(TrainingRequested.of(runId, request("{}")));

        await().atMost(WAIT).until(() -> get("/consumed/" + runId).statusCode() == 200);
        assertTrue(get("/consumed/" + runId).body().contains("\"outcome\":\"accepted\""));
        String counter = get("/q/metrics").body().lines()
                .filter(l -> l.startsWith("orpo_events_consumed_total{") && l.contains("outcome=\"accepted\""))
                .findFirst().orElse("");
        assertTrue(counter.contains("channel=\"training-requested\"")
                && Double.parseDouble(counter.substring(counter.lastIndexOf(' ') + 1)) >= 1, counter);
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
                java.util.List.of("lora.r", "training.beta")), failed.errors().toString());
        String wire = new String(record.value(), StandardCharsets.UTF_8);
        assertTrue(wire.contains("\"run_id\":\"" + runId + "\"") && wire.contains("\"causation_id\""), wire);
        assertEquals("dev.orpo.RunFailed.v1", TestTopics.header(record, CloudEventHeaders.TYPE));
        assertEquals("/orpo/dataset-service", TestTopics.header(record, CloudEventHeaders.SOURCE));
        assertEquals(failed.eventId(), TestTopics.header(record, CloudEventHeaders.ID));
        await().atMost(WAIT).until(() -> get("/consumed/" + runId).body().contains("\"outcome\":\"rejected\""));
    }

    @Test
    void malformedPayloadLandsOnTheDeadLetterTopicWithTheReason() {
        String runId = RunIds.newRunId();
        byte[] garbage = "{\"run_id\": \"oops".getBytes(StandardCharsets.UTF_8);
        topics.publish(Topics.TRAINING_REQUESTED, runId, garbage, Map.of());

        var dead = topics.awaitRecord(Topics.DLQ_DATASET_TRAINING_REQUESTED, r -> runId.equals(r.key()), WAIT);
        assertArrayEquals(garbage, dead.value());
        String reason = TestTopics.header(dead, "dead-letter-reason");
        assertTrue(reason != null && reason.contains("malformed TrainingRequested"), reason);
        assertEquals(Topics.TRAINING_REQUESTED, TestTopics.header(dead, "dead-letter-topic"));
    }

    @Test
    void channelsAreMappedToTheContractTopics() {
        var config = ConfigProvider.getConfig();
        assertEquals(Topics.TRAINING_REQUESTED,
                config.getValue("mp.messaging.incoming.training-requested.topic", String.class));
        assertEquals(Topics.DLQ_DATASET_TRAINING_REQUESTED,
                config.getValue("mp.messaging.incoming.training-requested.dead-letter-queue.topic", String.class));
        assertEquals(Topics.DATASET_PREPARED,
                config.getValue("mp.messaging.outgoing.dataset-prepared.topic", String.class));
        assertEquals(Topics.RUN_FAILED, config.getValue("mp.messaging.outgoing.run-failed.topic", String.class));
    }

    @Test
    void objectStoreBeanUsesTheStacksBucket() {
        assertEquals(PipelineStackResource.endpoints().s3Endpoint(), store.config().endpoint());
        String key = "tests/" + RunIds.newRunId() + "/probe.txt";
        store.putBytes(key, "probe".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals("probe".getBytes(StandardCharsets.UTF_8), store.getBytes(key));
    }

    @Test
    void readyOnceConnectedToKafka() {
        await().atMost(WAIT).until(() -> get("/q/health/ready").statusCode() == 200);
        assertEquals(200, get("/q/health/live").statusCode());
    }

    /** A request with a tiny model and dataset, plus {@code overrides} (JSON object) merged in. */
    private static TrainingRequest request(String overrides) {
        String base = "{\"model\": {\"name_or_path\": \"tiny-llama\"}, \"dataset\": {\"uri\": \"s3://orpo/d.jsonl\"}";
        String inner = overrides.strip();
        String json = inner.equals("{}") ? base + "}" : base + ", " + inner.substring(1);
        return Json.fromBytes(json.getBytes(StandardCharsets.UTF_8), TrainingRequest.class);
    }

    private HttpResponse<String> get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("GET " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: GET " + path, e);
        }
    }
}

package dev.orpo.trainer;

import dev.orpo.contracts.RunIds;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.DatasetPrepared;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.events.RunCancelled;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.store.ObjectStore;
import dev.orpo.testing.PipelineStackResource;
import dev.orpo.testing.SharedStackTest;
import dev.orpo.testing.ServiceChecks;
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
import java.time.Duration;
import java.time.Instant;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** trainer-service against a real broker: consumes its events, dead-letters malformed ones. */
@QuarkusTest
@WithTestResource(PipelineStackResource.class)
class TrainerServiceTest extends SharedStackTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TestHTTPResource("/")
    URI base;

    @Inject
    ObjectStore store;

    @Test
    void datasetPreparedWithoutAStoredDatasetFailsTheRunNamingTheUri() {
        String runId = RunIds.newRunId();
        String uri = "s3://orpo/runs/" + runId + "/dataset/";
        DatasetPrepared event = new DatasetPrepared(PipelineEvent.newEventId(), runId, 1, Instant.now(), null,
                uri, "ab12", 90, 10, 0, 12345, 32000, minimalRequest());
        topics.publishEvent(event);

        RunFailed failed = TestTopics.value(topics.awaitRecord(Topics.RUN_FAILED, r -> runId.equals(r.key()), WAIT),
                RunFailed.class);
        assertEquals("training", failed.stage());
        assertEquals(event.eventId(), failed.causationId());
        assertTrue(failed.reason().contains(uri), failed.reason());
        await().atMost(WAIT).until(() -> get("/consumed/" + runId).body().contains("\"outcome\":\"failed\""));
        assertTrue(counter("dataset-prepared", "failed") >= 1, "orpo_events_consumed_total for dataset-prepared");
    }

    @Test
    void malformedDatasetPreparedLandsOnItsDeadLetterTopicWithTheReason() {
        String runId = RunIds.newRunId();
        byte[] garbage = "{\"run_id\": [".getBytes(StandardCharsets.UTF_8);
        topics.assertDeadLettered(Topics.DATASET_PREPARED, runId, garbage, Topics.DLQ_TRAINER_DATASET_PREPARED, "malformed DatasetPrepared", WAIT);
    }

    @Test
    void runCancelledIsConsumedAndCounted() {
        String runId = RunIds.newRunId();
        RunCancelled event = RunCancelled.of(runId, "user asked");
        topics.publishEvent(event);

        ServiceChecks.assertConsumed(base, runId, "run-cancelled", "accepted", event.eventId(), WAIT);
    }

    @Test
    void malformedRunCancelledLandsOnItsDeadLetterTopicWithTheReason() {
        String runId = RunIds.newRunId();
        byte[] garbage = "{\"run_id\": [".getBytes(StandardCharsets.UTF_8);
        topics.assertDeadLettered(Topics.RUN_CANCELLED, runId, garbage, Topics.DLQ_TRAINER_RUN_CANCELLED, "malformed RunCancelled", WAIT);
    }

    @Test
    void channelsAreMappedToTheContractTopics() {
        ServiceChecks.assertIncoming("dataset-prepared", Topics.DATASET_PREPARED, Topics.DLQ_TRAINER_DATASET_PREPARED);
        ServiceChecks.assertIncoming("run-cancelled", Topics.RUN_CANCELLED, Topics.DLQ_TRAINER_RUN_CANCELLED);
        ServiceChecks.assertOutgoing("training-started", Topics.TRAINING_STARTED);
        ServiceChecks.assertOutgoing("training-progressed", Topics.TRAINING_PROGRESSED);
        ServiceChecks.assertOutgoing("checkpoint-saved", Topics.CHECKPOINT_SAVED);
        ServiceChecks.assertOutgoing("training-completed", Topics.TRAINING_COMPLETED);
        ServiceChecks.assertOutgoing("run-failed", Topics.RUN_FAILED);
    }

    @Test
    void objectStoreBeanUsesTheStacksBucket() {
        ServiceChecks.assertUsesTheStacksObjectStore(store);
    }

    @Test
    void readyOnceConnectedToKafka() {
        ServiceChecks.assertReadyAndLive(base, WAIT);
    }

    private double counter(String channel, String outcome) {
        return ServiceHttp.consumed(base, channel, outcome);
    }

    private HttpResponse<String> get(String path) {
        return ServiceHttp.get(base, path);
    }
}

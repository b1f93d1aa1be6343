package dev.orpo.eval;

import dev.orpo.contracts.RunIds;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.contracts.events.ModelMerged;
import dev.orpo.contracts.events.PipelineEvent;
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
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** eval-service against a real broker: consumes its events, dead-letters malformed ones. */
@QuarkusTest
@WithTestResource(PipelineStackResource.class)
class EvalServiceTest extends SharedStackTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TestHTTPResource("/")
    URI base;

    @Inject
    ObjectStore store;

    @Test
    void checkpointThatIsNotStoredFailsThatEvaluationWithRunFailed() {
        String runId = RunIds.newRunId();
        CheckpointSaved event = new CheckpointSaved(PipelineEvent.newEventId(), runId, 1, Instant.now(), null, 10, 100,
                "s3://orpo/runs/" + runId + "/checkpoints/step-10/", Map.of(), Map.of("loss", 1.5), false, minimalRequest());
        topics.publishEvent(event);

        RunFailed failed = TestTopics.value(topics.awaitRecord(Topics.RUN_FAILED, r -> runId.equals(r.key()), WAIT),
                RunFailed.class);
        assertEquals("eval", failed.stage());
        assertEquals(event.eventId(), failed.causationId());
        assertTrue(failed.reason().startsWith("checkpoint step 10: "), failed.reason());
        await().atMost(WAIT).until(() -> get("/consumed/" + runId).body().contains("\"outcome\":\"failed\""));
        assertTrue(counter("checkpoint-saved", "failed") >= 1, "orpo_events_consumed_total for checkpoint-saved");
    }

    @Test
    void malformedCheckpointSavedLandsOnItsDeadLetterTopicWithTheReason() {
        String runId = RunIds.newRunId();
        byte[] garbage = "{\"run_id\": [".getBytes(StandardCharsets.UTF_8);
        topics.assertDeadLettered(Topics.CHECKPOINT_SAVED, runId, garbage, Topics.DLQ_EVAL_CHECKPOINT_SAVED, "malformed CheckpointSaved", WAIT);
    }

    @Test
    void mergedModelThatIsNotStoredFailsThatEvaluationWithRunFailed() {
        String runId = RunIds.newRunId();
        ModelMerged event = new ModelMerged(PipelineEvent.newEventId(), runId, 1, Instant.now(), null, 100,
                "s3://orpo/runs/" + runId + "/merged/", "float32", 291, 123456L, minimalRequest());
        topics.publishEvent(event);

        RunFailed failed = TestTopics.value(topics.awaitRecord(Topics.RUN_FAILED, r -> runId.equals(r.key()), WAIT),
                RunFailed.class);
        assertEquals("eval", failed.stage());
        assertTrue(failed.reason().startsWith("merged step 100: "), failed.reason());
        await().atMost(WAIT).until(() -> get("/consumed/" + runId).body().contains("\"outcome\":\"failed\""));
    }

    @Test
    void malformedModelMergedLandsOnItsDeadLetterTopicWithTheReason() {
        String runId = RunIds.newRunId();
        byte[] garbage = "{\"run_id\": [".getBytes(StandardCharsets.UTF_8);
        topics.assertDeadLettered(Topics.MODEL_MERGED, runId, garbage, Topics.DLQ_EVAL_MODEL_MERGED, "malformed ModelMerged", WAIT);
    }

    @Test
    void channelsAreMappedToTheContractTopics() {
        ServiceChecks.assertIncoming("checkpoint-saved", Topics.CHECKPOINT_SAVED, Topics.DLQ_EVAL_CHECKPOINT_SAVED);
        ServiceChecks.assertIncoming("model-merged", Topics.MODEL_MERGED, Topics.DLQ_EVAL_MODEL_MERGED);
        ServiceChecks.assertOutgoing("evaluation-completed", Topics.EVALUATION_COMPLETED);
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

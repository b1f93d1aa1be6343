package dev.orpo.merger;

import dev.orpo.contracts.Json;
import dev.orpo.contracts.RunIds;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.events.TrainingCompleted;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.store.ObjectStore;
import dev.orpo.testing.PipelineStackResource;
import dev.orpo.testing.SharedStackTest;
import dev.orpo.testing.ServiceChecks;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** merger-service against a real broker: consumes its events, skips what needs no merge, dead-letters malformed ones. */
@QuarkusTest
@WithTestResource(PipelineStackResource.class)
class MergerServiceTest extends SharedStackTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TestHTTPResource("/")
    URI base;

    @Inject
    ObjectStore store;

    @Test
    void checkpointNeitherFinalNorListedIsRecordedAsSkipped() {
        String runId = RunIds.newRunId();
        CheckpointSaved event = new CheckpointSaved(PipelineEvent.newEventId(), runId, 1, Instant.now(), null, 10, 100,
                "s3://orpo/runs/" + runId + "/checkpoints/step-10/", Map.of(), Map.of("loss", 1.5), false, minimalRequest());
        topics.publishEvent(event);

        ServiceChecks.assertConsumed(base, runId, "checkpoint-saved", "skipped", event.eventId(), WAIT);
    }

    @Test
    void malformedCheckpointSavedLandsOnItsDeadLetterTopicWithTheReason() {
        String runId = RunIds.newRunId();
        byte[] garbage = "{\"run_id\": [".getBytes(StandardCharsets.UTF_8);
        topics.assertDeadLettered(Topics.CHECKPOINT_SAVED, runId, garbage, Topics.DLQ_MERGER_CHECKPOINT_SAVED, "malformed CheckpointSaved", WAIT);
    }

    @Test
    void trainingCompletedWithMergeDisabledIsRecordedAsSkipped() {
        String runId = RunIds.newRunId();
        TrainingRequest noMerge = Json.fromBytes(("{\"model\": {\"name_or_path\": \"tiny-llama\"}, \"dataset\": "
                + "{\"uri\": \"s3://orpo/d.jsonl\"}, \"merge\": {\"enabled\": false}}").getBytes(StandardCharsets.UTF_8),
                TrainingRequest.class);
        TrainingCompleted event = new TrainingCompleted(PipelineEvent.newEventId(), runId, 1, Instant.now(), null, 100,
                "s3://orpo/runs/" + runId + "/checkpoints/step-100/", Map.of("loss", 0.9), 12.5, false, noMerge);
        topics.publishEvent(event);

        ServiceChecks.assertConsumed(base, runId, "training-completed", "skipped", event.eventId(), WAIT);
    }

    @Test
    void malformedTrainingCompletedLandsOnItsDeadLetterTopicWithTheReason() {
        String runId = RunIds.newRunId();
        byte[] garbage = "{\"run_id\": [".getBytes(StandardCharsets.UTF_8);
        topics.assertDeadLettered(Topics.TRAINING_COMPLETED, runId, garbage, Topics.DLQ_MERGER_TRAINING_COMPLETED, "malformed TrainingCompleted", WAIT);
    }

    @Test
    void channelsAreMappedToTheContractTopics() {
        ServiceChecks.assertIncoming("checkpoint-saved", Topics.CHECKPOINT_SAVED, Topics.DLQ_MERGER_CHECKPOINT_SAVED);
        ServiceChecks.assertIncoming("training-completed", Topics.TRAINING_COMPLETED, Topics.DLQ_MERGER_TRAINING_COMPLETED);
        ServiceChecks.assertOutgoing("model-merged", Topics.MODEL_MERGED);
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
}

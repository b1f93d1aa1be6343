package dev.orpo.trainer;

import dev.orpo.contracts.RunIds;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.DatasetPrepared;
import dev.orpo.contracts.events.Envelope;
import dev.orpo.contracts.events.RunCancelled;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.testing.PipelineStackResource;
import dev.orpo.testing.ServiceChecks;
import dev.orpo.testing.ServiceContract;
import dev.orpo.testing.ServiceContractTest;
import dev.orpo.testing.TestTopics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** trainer-service against a real broker: the service contract (channels, DLQs, poison), and a run that cannot start. */
@QuarkusTest
@WithTestResource(PipelineStackResource.class)
class TrainerServiceTest extends ServiceContractTest {

    @Override
    protected ServiceContract contract() {
        return new ServiceContract(List.of(
                new ServiceContract.In("dataset-prepared", Topics.DATASET_PREPARED,
                        Topics.DLQ_TRAINER_DATASET_PREPARED, DatasetPrepared.class, TrainerServiceTest::unstored,
                        "failed"),
                new ServiceContract.In("run-cancelled", Topics.RUN_CANCELLED, Topics.DLQ_TRAINER_RUN_CANCELLED,
                        RunCancelled.class, runId -> RunCancelled.of(runId, "test"), "accepted")),
                List.of(new ServiceContract.Out("training-started", Topics.TRAINING_STARTED),
                        new ServiceContract.Out("training-progressed", Topics.TRAINING_PROGRESSED),
                        new ServiceContract.Out("checkpoint-saved", Topics.CHECKPOINT_SAVED),
                        new ServiceContract.Out("training-completed", Topics.TRAINING_COMPLETED),
                        new ServiceContract.Out("run-failed", Topics.RUN_FAILED)));
    }

    /** A DatasetPrepared whose dataset is not in the store: the run fails at once. */
    private static DatasetPrepared unstored(String runId) {
        return DatasetPrepared.of(Envelope.command(runId), "s3://orpo/runs/" + runId + "/dataset/", "ab12", 90, 10, 0,
                12345, 32000, minimalRequest());
    }

    @Test
    void datasetPreparedWithoutAStoredDatasetFailsTheRunNamingTheUri() {
        String runId = RunIds.newRunId();
        DatasetPrepared event = unstored(runId);
        topics.publishEvent(event);

        RunFailed failed = TestTopics.value(topics.awaitRecord(Topics.RUN_FAILED, r -> runId.equals(r.key()), WAIT),
                RunFailed.class);
        assertEquals("training", failed.stage());
        assertEquals(event.eventId(), failed.causationId());
        assertTrue(failed.reason().contains(event.datasetUri()), failed.reason());
        ServiceChecks.assertConsumed(base, runId, "dataset-prepared", "failed", event.eventId(), WAIT);
    }
}

package dev.orpo.merger;

import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.contracts.events.Envelope;
import dev.orpo.contracts.events.TrainingCompleted;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.testing.PipelineStackResource;
import dev.orpo.testing.ServiceContract;
import dev.orpo.testing.ServiceContractTest;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * merger-service against a real broker: the service contract (channels, DLQs, poison), with checkpoints that need no
 * merge (neither final nor listed; merge disabled) as the valid events, recorded as skipped.
 */
@QuarkusTest
@WithTestResource(PipelineStackResource.class)
class MergerServiceTest extends ServiceContractTest {

    @Override
    protected ServiceContract contract() {
        return new ServiceContract(List.of(
                new ServiceContract.In("checkpoint-saved", Topics.CHECKPOINT_SAVED, Topics.DLQ_MERGER_CHECKPOINT_SAVED,
                        CheckpointSaved.class, MergerServiceTest::unlistedCheckpoint, "skipped"),
                new ServiceContract.In("training-completed", Topics.TRAINING_COMPLETED,
                        Topics.DLQ_MERGER_TRAINING_COMPLETED, TrainingCompleted.class,
                        MergerServiceTest::completedWithoutMerge, "skipped")),
                List.of(new ServiceContract.Out("model-merged", Topics.MODEL_MERGED),
                        new ServiceContract.Out("run-failed", Topics.RUN_FAILED)));
    }

    private static CheckpointSaved unlistedCheckpoint(String runId) {
        return CheckpointSaved.of(Envelope.command(runId), 10, 100, "s3://orpo/runs/" + runId
                + "/checkpoints/step-10/", Map.of(), Map.of("loss", 1.5), false, minimalRequest());
    }

    private static TrainingCompleted completedWithoutMerge(String runId) {
        TrainingRequest noMerge = Json.fromBytes(("{\"model\": {\"name_or_path\": \"tiny-llama\"}, \"dataset\": "
                + "{\"uri\": \"s3://orpo/d.jsonl\"}, \"merge\": {\"enabled\": false}}").getBytes(StandardCharsets.UTF_8),
                TrainingRequest.class);
        return TrainingCompleted.of(Envelope.command(runId), 100, "s3://orpo/runs/" + runId + "/checkpoints/step-100/",
                Map.of("loss", 0.9), 12.5, false, noMerge);
    }
}

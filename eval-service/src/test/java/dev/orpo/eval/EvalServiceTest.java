package dev.orpo.eval;

import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.RunIds;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.contracts.events.Envelope;
import dev.orpo.contracts.events.ModelMerged;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.testing.PipelineStackResource;
import dev.orpo.testing.ServiceChecks;
import dev.orpo.testing.ServiceContract;
import dev.orpo.testing.ServiceContractTest;
import dev.orpo.testing.TestTopics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * eval-service against a real broker: the service contract (channels, DLQs, poison), targets that fail on their own,
 * and no thread kept per run.
 */
@QuarkusTest
@WithTestResource(PipelineStackResource.class)
class EvalServiceTest extends ServiceContractTest {
    @Inject
    EvalRuns runs;

    @Override
    protected ServiceContract contract() {
        return new ServiceContract(List.of(
                new ServiceContract.In("checkpoint-saved", Topics.CHECKPOINT_SAVED, Topics.DLQ_EVAL_CHECKPOINT_SAVED,
                        CheckpointSaved.class, runId -> checkpoint(runId, noEval()), "skipped"),
                new ServiceContract.In("model-merged", Topics.MODEL_MERGED, Topics.DLQ_EVAL_MODEL_MERGED,
                        ModelMerged.class, runId -> merged(runId, noEval()), "skipped")),
                List.of(new ServiceContract.Out("evaluation-completed", Topics.EVALUATION_COMPLETED),
                        new ServiceContract.Out("run-failed", Topics.RUN_FAILED)));
    }

    @Test
    void checkpointThatIsNotStoredFailsThatEvaluationWithRunFailed() {
        String runId = RunIds.newRunId();
        CheckpointSaved event = checkpoint(runId, minimalRequest());
        topics.publishEvent(event);

        RunFailed failed = TestTopics.value(topics.awaitRecord(Topics.RUN_FAILED, r -> runId.equals(r.key()), WAIT),
                RunFailed.class);
        assertEquals("eval", failed.stage());
        assertEquals(event.eventId(), failed.causationId());
        assertTrue(failed.reason().startsWith("checkpoint step 10: "), failed.reason());
        ServiceChecks.assertConsumed(base, runId, "checkpoint-saved", "failed", event.eventId(), WAIT);
    }

    @Test
    void mergedModelThatIsNotStoredFailsThatEvaluationWithRunFailed() {
        String runId = RunIds.newRunId();
        ModelMerged event = merged(runId, minimalRequest());
        topics.publishEvent(event);

        RunFailed failed = TestTopics.value(topics.awaitRecord(Topics.RUN_FAILED, r -> runId.equals(r.key()), WAIT),
                RunFailed.class);
        assertEquals("eval", failed.stage());
        assertTrue(failed.reason().startsWith("merged step 100: "), failed.reason());
        ServiceChecks.assertConsumed(base, runId, "model-merged", "failed", event.eventId(), WAIT);
    }

    @Test
    void threadsDoNotGrowWithTheRunsEvaluated() {
        List<String> runIds = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String runId = RunIds.newRunId();
            runIds.add(runId);
            topics.publishEvent(checkpoint(runId, minimalRequest())); // each fails its evaluation at once
        }
        for (String runId : runIds) {
            await().atMost(WAIT).until(() -> !topics.recordsSoFar(Topics.RUN_FAILED, r -> runId.equals(r.key()))
                    .isEmpty());
        }

        long evalThreads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("orpo-eval")).count();
        assertTrue(evalThreads <= 2, evalThreads + " evaluation threads after 6 runs (orpo.eval.workers = 2)");
        await().atMost(WAIT).until(() -> runs.activeRuns() == 0);
    }

    private static CheckpointSaved checkpoint(String runId, TrainingRequest request) {
        return CheckpointSaved.of(Envelope.command(runId), 10, 100, "s3://orpo/runs/" + runId
                + "/checkpoints/step-10/", Map.of(), Map.of("loss", 1.5), false, request);
    }

    private static ModelMerged merged(String runId, TrainingRequest request) {
        return ModelMerged.of(Envelope.command(runId), 100, "s3://orpo/runs/" + runId + "/merged/", "float32", 291,
                123456L, request);
    }

    private static TrainingRequest noEval() {
        return Json.fromBytes(("{\"model\": {\"name_or_path\": \"tiny-llama\"}, \"dataset\": {\"uri\": "
                + "\"s3://orpo/d.jsonl\"}, \"eval\": {\"enabled\": false}}").getBytes(StandardCharsets.UTF_8),
                TrainingRequest.class);
    }
}

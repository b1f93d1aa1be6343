package dev.orpo.eval;

import dev.orpo.contracts.RunIds;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.contracts.events.EvaluationCompleted;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.request.RequestParser;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.stages.train.SyntheticPrepared;
import dev.orpo.stages.train.TrainStage;
import dev.orpo.stages.train.TrainStageListener;
import dev.orpo.store.ObjectStore;
import dev.orpo.store.S3Uri;
import dev.orpo.testing.PipelineStackResource;
import dev.orpo.testing.ServiceHttp;
import dev.orpo.testing.SharedStackTest;
import dev.orpo.testing.TestTopics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkpoint evaluation through the service: real broker, real S3, the synthetic tiny model. */
@QuarkusTest
@WithTestResource(PipelineStackResource.class)
class EvalRunServiceTest extends SharedStackTest {

    @TempDir
    Path tmp;

    @Inject
    ObjectStore store;

    @TestHTTPResource("/")
    URI base;

    @Test
    void twoCheckpointsPublishedBackToBackAreBothEvaluatedInStepOrderAndADuplicateIsNot() {
        String runId = RunIds.newRunId();
        Path model = SyntheticPrepared.model(tmp.resolve("model"), 7);
        Path dataset = SyntheticPrepared.dataset(tmp.resolve("dataset"), 12, 4, 11);
        TrainingRequest request = RequestParser.parse("""
                {"model": {"name_or_path": "s3://%s/tests/%s/model/"}, "dataset": {"uri": "s3://orpo/d.jsonl"},
                 "lora": {"r": 4, "lora_alpha": 8},
                 "training": {"learning_rate": 0.001, "warmup_steps": 0, "per_device_train_batch_size": 2,
                   "per_device_eval_batch_size": 4, "gradient_accumulation_steps": 1, "max_steps": 2,
                   "eval_steps": 1, "save_steps": 1, "seed": 3}}""".formatted(store.bucket(), runId), false);
        TrainStage.Outcome trained = TrainStage.run(request, new TrainStage.Inputs(model, "m", dataset, 0,
                tmp.resolve("out"), null), new TrainStageListener() { }, () -> false);
        store.putDirectory("tests/" + runId + "/model/", model);
        store.putDirectory("runs/" + runId + "/dataset/", dataset);
        for (int step = 1; step <= 2; step++) {
            store.putDirectory("runs/" + runId + "/checkpoints/step-" + step + "/",
                    tmp.resolve("out/checkpoints/step-" + step));
        }
        List<CheckpointSaved> checkpoints = new ArrayList<>();
        for (int step = 1; step <= 2; step++) {
            checkpoints.add(new CheckpointSaved(PipelineEvent.newEventId(), runId, 1, Instant.now(), null, step,
                    2, "s3://" + store.bucket() + "/runs/" + runId + "/checkpoints/step-" + step + "/", Map.of(),
                    Map.of(), step == 2, request));
            topics.publishEvent(checkpoints.get(step - 1));
        }

        await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> topics.awaitRecords(
                Topics.EVALUATION_COMPLETED, r -> runId.equals(r.key()), Duration.ofSeconds(10)).size() == 2);
        List<EvaluationCompleted> done = topics.awaitRecords(Topics.EVALUATION_COMPLETED, r -> runId.equals(r.key()),
                Duration.ofSeconds(10)).stream().map(r -> TestTopics.value(r, EvaluationCompleted.class)).toList();
        assertEquals(List.of(1L, 2L), done.stream().map(EvaluationCompleted::step).toList());
        EvaluationCompleted last = done.get(1);
        assertEquals("checkpoint", last.target());
        assertEquals(List.of("base", "tuned"), List.copyOf(last.table().keySet()));
        assertEquals(trained.finalMetrics().get("eval_loss"), last.table().get("tuned").get("eval_loss"), 1e-4);
        String report = new String(store.getBytes(S3Uri.parse(last.reportUri()).key()), StandardCharsets.UTF_8);
        assertTrue(report.contains("\"history\"") && report.contains("eval_loss"), report);
        assertTrue(store.exists("runs/" + runId + "/eval/step-1.json"));
        assertTrue(store.exists("runs/" + runId + "/eval/report.md"));

        // the same event delivered twice: not evaluated again, nothing published again
        topics.publishEvent(checkpoints.get(1));
        await().atMost(Duration.ofSeconds(60)).until(
                () -> ServiceHttp.get(base, "/consumed/" + runId).body().contains("already-evaluated"));
        assertEquals(2, topics.recordsSoFar(Topics.EVALUATION_COMPLETED, r -> runId.equals(r.key())).size());
    }
}

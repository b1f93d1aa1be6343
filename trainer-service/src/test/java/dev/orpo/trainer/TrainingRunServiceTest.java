package dev.orpo.trainer;

import ai.djl.ndarray.NDManager;
import dev.orpo.contracts.RunIds;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.contracts.events.DatasetPrepared;
import dev.orpo.contracts.events.RunCancelled;
import dev.orpo.contracts.events.TrainingCompleted;
import dev.orpo.contracts.events.TrainingProgressed;
import dev.orpo.contracts.events.TrainingStarted;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.score.ScoreConfig;
import dev.orpo.model.score.ScoreReport;
import dev.orpo.model.score.Scorer;
import dev.orpo.stages.train.PreparedDataset;
import dev.orpo.stages.train.SyntheticPrepared;
import dev.orpo.stages.train.TrainStage;
import dev.orpo.stages.train.TrainStageListener;
import dev.orpo.store.ObjectStore;
import dev.orpo.store.S3Uri;
import dev.orpo.testing.PipelineStackResource;
import dev.orpo.testing.SharedStackTest;
import dev.orpo.testing.TestTopics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A whole training run through the service: real broker, real S3, the synthetic tiny model. */
@QuarkusTest
@WithTestResource(PipelineStackResource.class)
class TrainingRunServiceTest extends SharedStackTest {
    private static final Duration RUN = Duration.ofSeconds(180);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    @TestHTTPResource("/")
    URI base;

    @Inject
    ObjectStore store;

    @Test
    void preparedDatasetIsTrainedCheckpointedAndCompletedOnceWhenDeliveredTwice() throws Exception {
        String runId = RunIds.newRunId();
        Path model = SyntheticPrepared.model(tmp.resolve("model"), 7);
        Path dataset = SyntheticPrepared.dataset(tmp.resolve("dataset"), 12, 4, 11);
        TrainingRequest request = request(runId, "\"max_steps\": 4, \"eval_steps\": 2, \"save_steps\": 2");
        DatasetPrepared prepared = publish(runId, model, dataset, request);
        topics.publishEvent(prepared); // the same event delivered twice, the second while the first trains

        TrainingCompleted completed = TestTopics.value(
                topics.awaitRecord(Topics.TRAINING_COMPLETED, ofRun(runId), RUN), TrainingCompleted.class);
        assertEquals(4, completed.finalStep());
        assertFalse(completed.cancelled());
        TrainingStarted started = TestTopics.value(topics.awaitRecord(Topics.TRAINING_STARTED, ofRun(runId), RUN),
                TrainingStarted.class);
        assertEquals(4, started.totalSteps());
        assertEquals(0, started.resumedFromStep());
        assertTrue(started.trainableParameters() > 0 && started.totalParameters() > started.trainableParameters());
        List<TrainingProgressed> progress = values(Topics.TRAINING_PROGRESSED, runId, TrainingProgressed.class);
        assertTrue(progress.stream().anyMatch(p -> p.phase().equals("train") && p.metrics().containsKey("nll_loss")
                && p.metrics().containsKey("learning_rate")), progress.toString());
        assertTrue(progress.stream().anyMatch(p -> p.phase().equals("eval") && p.metrics().containsKey("eval_loss")));
        await().atMost(RUN).until(() -> get("/consumed/" + runId).contains("already completed"));
        List<CheckpointSaved> checkpoints = topics.recordsSoFar(Topics.CHECKPOINT_SAVED, ofRun(runId)).stream()
                .map(r -> TestTopics.value(r, CheckpointSaved.class)).toList();
        assertEquals(List.of(2L, 4L), checkpoints.stream().map(CheckpointSaved::step).toList());
        assertEquals(List.of(false, true), checkpoints.stream().map(CheckpointSaved::finalCheckpoint).toList());
        CheckpointSaved last = checkpoints.get(1);
        assertEquals(completed.adapterUri(), last.checkpointUri());
        assertEquals(store.storedSha256(S3Uri.parse(last.checkpointUri()).key() + "adapter_model.safetensors")
                .orElseThrow(), last.files().get("adapter_model.safetensors"));

        // Prometheus: what was produced, the last train step and its throughput, the training duration
        String metrics = get("/q/metrics");
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("orpo_events_produced_total{")
                && l.contains("type=\"CheckpointSaved\"")), metrics);
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("orpo_training_step ")
                && Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) >= 4), metrics);
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("orpo_training_tokens_per_second ")
                && Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) > 0), metrics);
        assertTrue(metrics.contains("orpo_stage_duration_seconds_count{stage=\"training\"}"), metrics);

        // the stored adapter, applied to the base, scores the held-out pairs as the trainer's final evaluation did
        Path adapter = tmp.resolve("adapter");
        store.getDirectory(S3Uri.parse(completed.adapterUri()).key(), adapter);
        try (NDManager manager = NDManager.newBaseManager();
             LlamaModel tuned = PretrainedLlama.load(model, adapter, manager)) {
            ScoreReport report = new Scorer(tuned::logits, manager, new ScoreConfig(0.1, true, 8, 0))
                    .score(PreparedDataset.read(dataset).test());
            for (String name : List.of("loss", "nll_loss", "log_odds_ratio", "log_odds_chosen", "rewards/chosen",
                    "rewards/margins", "rewards/accuracies")) {
                assertEquals(completed.metrics().get("eval_" + name), report.summary().get(name), 1e-4, name);
            }
        }

        // the duplicate found the completion marker: trained once, announced once
        assertEquals(1, topics.recordsSoFar(Topics.TRAINING_STARTED, ofRun(runId)).size());
        assertEquals(1, topics.recordsSoFar(Topics.TRAINING_COMPLETED, ofRun(runId)).size());
        assertTrue(store.exists("runs/" + runId + "/checkpoints/_COMPLETE"));
    }

    @Test
    void redeliveryAfterACrashResumesFromTheStoredCheckpointToTheUninterruptedAdapter() throws Exception {
        String runId = RunIds.newRunId();
        Path model = SyntheticPrepared.model(tmp.resolve("model"), 7);
        Path dataset = SyntheticPrepared.dataset(tmp.resolve("dataset"), 12, 4, 11);
        TrainingRequest request = request(runId, "\"max_steps\": 4, \"eval_steps\": 2, \"save_steps\": 2");
        // what an uninterrupted run ends with, and the step-2 checkpoint a crashed replica left in the store
        TrainStage.run(request, new TrainStage.Inputs(model, "m", dataset, 64, tmp.resolve("a"), null),
                new TrainStageListener() { }, () -> false);
        AtomicBoolean crash = new AtomicBoolean();
        TrainStage.run(request, new TrainStage.Inputs(model, "m", dataset, 64, tmp.resolve("b"), null),
                new TrainStageListener() {
                    @Override
                    public void onCheckpoint(int step, Path dir, boolean last, Map<String, Double> metrics) {
                        crash.set(true);
                    }
                }, crash::get);
        store.putDirectory("runs/" + runId + "/checkpoints/step-2/", tmp.resolve("b/checkpoints/step-2"));

        publish(runId, model, dataset, request);

        TrainingCompleted completed = TestTopics.value(
                topics.awaitRecord(Topics.TRAINING_COMPLETED, ofRun(runId), RUN), TrainingCompleted.class);
        TrainingStarted started = TestTopics.value(topics.awaitRecord(Topics.TRAINING_STARTED, ofRun(runId), RUN),
                TrainingStarted.class);
        assertEquals(2, started.resumedFromStep());
        assertEquals(4, completed.finalStep());
        assertArrayEquals(Files.readAllBytes(tmp.resolve("a/checkpoints/step-4/adapter_model.safetensors")),
                store.getBytes(S3Uri.parse(completed.adapterUri()).key() + "adapter_model.safetensors"));
    }

    @Test
    void runCancelledStopsTheRunningTrainingWithAFinalCheckpoint() throws Exception {
        String runId = RunIds.newRunId();
        Path model = SyntheticPrepared.model(tmp.resolve("model"), 7);
        Path dataset = SyntheticPrepared.dataset(tmp.resolve("dataset"), 12, 4, 11);
        publish(runId, model, dataset, request(runId,
                "\"max_steps\": 5000, \"eval_steps\": 5000, \"save_steps\": 5000, \"logging_steps\": 5"));
        topics.awaitRecord(Topics.TRAINING_PROGRESSED, ofRun(runId), RUN);
        topics.publishEvent(RunCancelled.of(runId, "test"));

        TrainingCompleted completed = TestTopics.value(
                topics.awaitRecord(Topics.TRAINING_COMPLETED, ofRun(runId), RUN), TrainingCompleted.class);
        assertTrue(completed.cancelled());
        assertTrue(completed.finalStep() > 0 && completed.finalStep() < 5000, "stopped at " + completed.finalStep());
        CheckpointSaved last = values(Topics.CHECKPOINT_SAVED, runId, CheckpointSaved.class).get(0);
        assertEquals(completed.finalStep(), last.step());
        assertTrue(last.finalCheckpoint());
        assertTrue(store.exists(S3Uri.parse(completed.adapterUri()).key() + "adapter_model.safetensors"));
    }

    private TrainingRequest request(String runId, String training) {
        return TrainerTestRuns.request(store, runId, training);
    }

    private DatasetPrepared publish(String runId, Path model, Path dataset, TrainingRequest request) {
        return TrainerTestRuns.publish(store, topics, runId, model, dataset, request);
    }

    private static Predicate<ConsumerRecord<String, byte[]>> ofRun(String runId) {
        return r -> runId.equals(r.key());
    }

    private static <T> List<T> values(String topic, String runId, Class<T> type) {
        return topics.awaitRecords(topic, ofRun(runId), Duration.ofSeconds(30)).stream()
                .map(r -> TestTopics.value(r, type)).toList();
    }

    private String get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }
}

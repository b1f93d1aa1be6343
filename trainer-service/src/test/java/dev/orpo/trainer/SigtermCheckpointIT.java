package dev.orpo.trainer;

import dev.orpo.contracts.ObjectStoreLayout;
import dev.orpo.contracts.RunIds;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.contracts.events.TrainingCompleted;
import dev.orpo.contracts.events.TrainingProgressed;
import dev.orpo.contracts.events.TrainingStarted;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.deploy.local.StackEndpoints;
import dev.orpo.stages.train.SyntheticPrepared;
import dev.orpo.store.ObjectStore;
import dev.orpo.testing.PipelineStackResource;
import dev.orpo.testing.ServiceProcess;
import dev.orpo.testing.TestTopics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM to the packaged trainer (the jar {@code package} builds, started as the demo starts it) in the middle of a
 * run: the trainer stops at the next step boundary, stores and announces that checkpoint, and exits without
 * TrainingCompleted or RunFailed; the same replica started again resumes the run from that checkpoint and completes
 * it. Runs in the {@code integration-test} phase (after {@code package}).
 */
class SigtermCheckpointIT {
    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    /** Steps of the run: enough that SIGTERM lands mid-run, few enough to finish on a loaded 2-core machine. */
    private static final int STEPS = 40;
    /** The replica id both incarnations share, as a restarted pod keeps its name. */
    private static final Map<String, String> REPLICA = Map.of("ORPO_TRAINER_REPLICA_ID", "trainer-sigterm-it");

    @TempDir
    Path tmp;

    @Test
    void sigtermMidRunLeavesAnAnnouncedCheckpointAndTheRestartedTrainerResumesFromItToTheEnd() throws Exception {
        StackEndpoints stack = PipelineStackResource.endpoints();
        ObjectStore store = PipelineStackResource.objectStore();
        String runId = RunIds.newRunId();
        TrainingRequest request = TrainerTestRuns.request(store, runId, "\"max_steps\": " + STEPS
                + ", \"save_steps\": 100000, \"eval_steps\": 100000, \"logging_steps\": 1");
        Path log = Path.of("target/sigterm-it").resolve(runId + ".log");
        try (TestTopics topics = TestTopics.forSharedStack()) {
            long reached;
            try (ServiceProcess first = ServiceProcess.start(JAR, stack, tmp.resolve("work-1"), log, REPLICA)) {
                first.awaitReady(Duration.ofSeconds(120));
                TrainerTestRuns.publish(store, topics, runId, SyntheticPrepared.model(tmp.resolve("model"), 7),
                        SyntheticPrepared.dataset(tmp.resolve("dataset"), 12, 4, 11), request);
                await("training past step 3").atMost(Duration.ofSeconds(300)).until(
                        () -> lastTrainStep(topics, runId) >= 3);
                first.terminate();
                reached = lastTrainStep(topics, runId);
                first.awaitExit(Duration.ofSeconds(120));
                assertTrue(first.log().contains("stopped by shutdown at step"), first.log());
            }
            assertTrue(reached < STEPS, "the run ended before SIGTERM; make it longer");

            // one checkpoint, announced as an ordinary one, at or after the step seen when the signal went out
            List<CheckpointSaved> saved = values(topics.recordsSoFar(Topics.CHECKPOINT_SAVED, ofRun(runId)),
                    CheckpointSaved.class);
            assertEquals(1, saved.size(), saved.toString());
            CheckpointSaved checkpoint = saved.get(0);
            assertFalse(checkpoint.finalCheckpoint());
            assertTrue(checkpoint.step() >= reached && checkpoint.step() < STEPS, checkpoint.step() + " vs " + reached);
            assertTrue(store.exists(ObjectStoreLayout.defaults().checkpointPrefix(runId, checkpoint.step())
                    + "optimizer.safetensors"));
            assertEquals(List.of(), topics.recordsSoFar(Topics.TRAINING_COMPLETED, ofRun(runId)));
            assertEquals(List.of(), topics.recordsSoFar(Topics.RUN_FAILED, ofRun(runId)));

            // the unacknowledged DatasetPrepared comes back to the restarted replica, which resumes from there
            try (ServiceProcess second = ServiceProcess.start(JAR, stack, tmp.resolve("work-2"), log, REPLICA)) {
                second.awaitReady(Duration.ofSeconds(120));
                TrainingCompleted done = TestTopics.value(topics.awaitRecord(Topics.TRAINING_COMPLETED,
                        ofRun(runId), Duration.ofSeconds(600)), TrainingCompleted.class);
                assertEquals(STEPS, done.finalStep());
                List<TrainingStarted> starts = values(topics.recordsSoFar(Topics.TRAINING_STARTED, ofRun(runId)),
                        TrainingStarted.class);
                assertEquals(2, starts.size(), starts.toString());
                assertEquals(0, starts.get(0).resumedFromStep());
                assertEquals(checkpoint.step(), starts.get(1).resumedFromStep());
                assertTrue(starts.get(1).resumedFromStep() >= reached - 1);
                assertEquals(1, topics.recordsSoFar(Topics.TRAINING_COMPLETED, ofRun(runId)).size());
                assertEquals(List.of(), topics.recordsSoFar(Topics.RUN_FAILED, ofRun(runId)));
            }
        }
    }

    /** The highest train step announced so far (0 before the first). */
    private static long lastTrainStep(TestTopics topics, String runId) {
        return values(topics.recordsSoFar(Topics.TRAINING_PROGRESSED, ofRun(runId)), TrainingProgressed.class)
                .stream().filter(p -> TrainingProgressed.TRAIN.equals(p.phase()))
                .mapToLong(TrainingProgressed::step).max().orElse(0);
    }

    private static Predicate<ConsumerRecord<String, byte[]>> ofRun(String runId) {
        return r -> runId.equals(r.key());
    }

    private static <T> List<T> values(List<ConsumerRecord<String, byte[]>> records, Class<T> type) {
        return records.stream().map(r -> TestTopics.value(r, type)).toList();
    }
}

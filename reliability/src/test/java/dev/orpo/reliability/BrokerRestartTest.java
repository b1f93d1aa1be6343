package dev.orpo.reliability;

import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.contracts.events.TrainingCompleted;
import dev.orpo.contracts.events.TrainingProgressed;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker dies ({@code kill -9}) mid-training and comes back only after the trainer has stored the next checkpoint,
 * whose {@code CheckpointSaved} it cannot publish meanwhile: the held event is published once
 * the broker is back, the run completes without a {@code RunFailed}, and no state event is lost or duplicated.
 */
@ExtendWith(SharedPipeline.class)
@Order(30)
class BrokerRestartTest {
    private static final Duration RUN = Duration.ofMinutes(10);
    private static final long STEPS = 30;

    private final Pipeline pipeline;
    private final FaultReport report;
    private final Runs runs;

    BrokerRestartTest(Pipeline pipeline, FaultReport report) {
        this.pipeline = pipeline;
        this.report = report;
        this.runs = new Runs(pipeline);
    }

    @Test
    void brokerKilledMidTrainingLosesAndDuplicatesNoStateEventAndTheRunCompletes() {
        String runId = pipeline.submit(pipeline.request("training: {max_steps: " + STEPS + "}"));
        pipeline.log().await(runId, CheckpointSaved.class, c -> c.step() == 10, RUN);
        pipeline.log().await(runId, TrainingProgressed.class, p -> TrainerCrashTest.isTrain(p) && p.step() >= 12, RUN);
        long reached = pipeline.log().events(runId, TrainingProgressed.class).stream()
                .filter(TrainerCrashTest::isTrain).mapToLong(TrainingProgressed::step).max().orElseThrow();
        ServiceJvm trainer = pipeline.service("trainer-service");
        Instant killedAt = Instant.now();
        pipeline.killBroker();

        // the trainer stores the next checkpoint (S3 is up) and cannot announce it
        // trainer_state.json: the last of the checkpoint's files uploaded (in name order)
        String stored = "runs/" + runId + "/checkpoints/step-20/trainer_state.json";
        runs.awaitUnlessFailed(runId, "checkpoint 20 stored while the broker is down", RUN,
                () -> pipeline.store().exists(stored));
        assertTrue(pipeline.log().events(runId, CheckpointSaved.class).stream().noneMatch(c -> c.step() == 20));
        Instant restartAt = Instant.now();
        pipeline.restartInfrastructure();
        Instant brokerBack = Instant.now();
        EventLog.Seen held = pipeline.log().awaitRecord("CheckpointSaved 20 after the restart", s ->
                runId.equals(s.key()) && s.event() instanceof CheckpointSaved c && c.step() == 20, RUN);
        runs.awaitDone(runId, RUN);

        List<Long> checkpoints = pipeline.log().events(runId, CheckpointSaved.class).stream()
                .map(CheckpointSaved::step).sorted().toList();
        assertEquals(List.of(10L, 20L, 30L), checkpoints, "one CheckpointSaved per saved step");
        assertEquals(1, pipeline.log().events(runId, TrainingCompleted.class).size());
        assertEquals(Map.of(), runs.duplicateStateEvents(runId), "every fact once");
        runs.assertCheckpointsWhole(runId);
        assertTrue(trainer.alive(), "the trainer rode out the outage");
        long progressLost = runs.missingTrainSteps(runId, STEPS);
        report.add(new FaultReport.Row("kill -9 broker, restart", "step " + reached + " of " + STEPS
                + ", down until checkpoint 20 was stored", TrainerCrashTest.seconds(brokerBack,
                held.readAt()), 0, 0, runs.duplicateStateEvents(runId).size(), "broker down "
                + TrainerCrashTest.seconds(killedAt, restartAt) + " s, restart " + TrainerCrashTest.seconds(restartAt,
                brokerBack) + " s; recovery = broker up until the held CheckpointSaved is read; " + progressLost
                + " best-effort progress events dropped during the outage; no RunFailed"));
    }
}

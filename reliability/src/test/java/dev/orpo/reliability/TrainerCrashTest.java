package dev.orpo.reliability;

import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.contracts.events.TrainingCompleted;
import dev.orpo.contracts.events.TrainingProgressed;
import dev.orpo.contracts.events.TrainingStarted;
import dev.orpo.contracts.request.TrainingRequest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trainer dies mid-run ({@code kill -9} between two checkpoints): restarted as the kubelet restarts a container,
 * it resumes from the last stored checkpoint and ends with the adapter an uninterrupted run of the same request
 * writes, byte for byte, announced once.
 */
@ExtendWith(SharedPipeline.class)
@Order(10)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainerCrashTest {
    private static final Duration RUN = Duration.ofMinutes(10);
    /** 30 steps, a checkpoint every 10 (the suite's request); the kill lands half-way to the third. */
    private static final String STEPS = "training: {max_steps: 30}";
    private static final long CHECKPOINT = 20;
    private static final long KILL_AT = 25;

    private final Pipeline pipeline;
    private final FaultReport report;
    private final Runs runs;

    TrainerCrashTest(Pipeline pipeline, FaultReport report) {
        this.pipeline = pipeline;
        this.report = report;
        this.runs = new Runs(pipeline);
    }

    @Test
    @Order(1)
    void killedTrainerResumesFromItsLastCheckpointAndWritesTheUninterruptedAdapterOnce() {
        TrainingRequest request = pipeline.request(STEPS);
        String reference = pipeline.submit(request);
        runs.awaitTrained(reference, RUN);

        String runId = pipeline.submit(request);
        pipeline.log().await(runId, CheckpointSaved.class, c -> c.step() == CHECKPOINT, RUN);
        pipeline.log().await(runId, TrainingProgressed.class, p -> isTrain(p) && p.step() >= KILL_AT, RUN);
        ServiceJvm trainer = pipeline.service("trainer-service");
        Instant killedAt = Instant.now();
        trainer.kill();
        long reached = lastTrainStep(runId);
        Duration restart = pipeline.restart(trainer);

        TrainingStarted resumed = pipeline.log().await(runId, TrainingStarted.class, s -> s.resumedFromStep() > 0, RUN);
        EventLog.Seen back = pipeline.log().awaitRecord("training past step " + reached + " again",
                s -> s.readAt().isAfter(killedAt) && runId.equals(s.key()) && s.event() instanceof TrainingProgressed p
                        && isTrain(p) && p.step() > reached, RUN);
        runs.awaitDone(runId, RUN);

        assertEquals(CHECKPOINT, resumed.resumedFromStep(), "resumed from the last checkpoint before the kill");
        assertEquals(runs.adapterSha(reference), runs.adapterSha(runId), "final adapter = uninterrupted run's");
        assertEquals(1, pipeline.log().events(runId, TrainingCompleted.class).size());
        assertEquals(Map.of(), runs.duplicateStateEvents(runId));
        long finalStep = pipeline.log().events(runId, TrainingCompleted.class).get(0).finalStep();
        assertEquals(0, runs.missingTrainSteps(runId, finalStep), "a progress event for every step");
        runs.assertCheckpointsWhole(runId);
        report.add(new FaultReport.Row("kill -9 trainer", "step " + reached + " of " + finalStep + " (checkpoint at "
                + CHECKPOINT + ")", seconds(killedAt, back.readAt()), reached - resumed.resumedFromStep(), 0,
                runs.duplicateStateEvents(runId).size(), "JVM restart to ready " + restart.toMillis() / 1000.0
                + " s; recovery = kill until a step past " + reached + "; adapter byte-identical"));
        assertTrue(trainer.alive());
    }

    private long lastTrainStep(String runId) {
        return pipeline.log().events(runId, TrainingProgressed.class).stream().filter(TrainerCrashTest::isTrain)
                .mapToLong(TrainingProgressed::step).max().orElse(0);
    }

    static boolean isTrain(TrainingProgressed p) {
        return TrainingProgressed.TRAIN.equals(p.phase());
    }

    static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 1000.0;
    }
}

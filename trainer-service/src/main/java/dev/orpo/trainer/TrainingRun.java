package dev.orpo.trainer;

import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.contracts.events.DatasetPrepared;
import dev.orpo.contracts.events.Envelope;
import dev.orpo.contracts.events.TrainingCompleted;
import dev.orpo.contracts.events.TrainingProgressed;
import dev.orpo.contracts.events.TrainingStarted;
import dev.orpo.model.train.StepLog;
import dev.orpo.service.StageRunner.Done;
import dev.orpo.stages.train.TrainStage;
import dev.orpo.stages.train.TrainStageListener;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One DatasetPrepared taken to its end on the worker thread: skip when the run's completion marker exists, wait
 * while another replica holds the run's lease ({@link RunLeases}), else download dataset + base model, resume from the
 * latest stored checkpoint if any, train with {@link TrainStage}, and publish TrainingStarted → TrainingProgressed per
 * log/eval → CheckpointSaved per uploaded checkpoint (once per step: marker) → TrainingCompleted, then write the
 * completion marker. Errors propagate to the stage runner (RunFailed, or a retry for an outage).
 *
 * <p>A shutdown ({@code stopping}) stops the loop at the next step boundary like a cancel, but the checkpoint it
 * writes is announced as an ordinary one (not final), and neither TrainingCompleted nor the marker follows: the run is
 * {@linkplain Done#suspended suspended}, to be resumed from that checkpoint after the restart.
 */
final class TrainingRun implements TrainStageListener {
    private static final Logger LOG = Logger.getLogger(TrainingRun.class);

    /** Unwinds the training stage once the shutdown checkpoint is stored and announced. */
    private static final class Suspended extends RuntimeException {
        private final int step;

        Suspended(int step) {
            super("suspended at step " + step, null, false, false);
            this.step = step;
        }
    }

    private final DatasetPrepared cause;
    private final RunArtifacts artifacts;
    private final TrainerEvents events;
    private final CancelledRuns cancels;
    private final RunLeases leases;
    private final BooleanSupplier stopping;
    private final Consumer<String> waiting;
    private int totalSteps;
    private int startStep;

    /**
     * @param stopping true once the service shuts down
     * @param waiting  told the other replica's name when this one waits for its lease
     */
    TrainingRun(DatasetPrepared cause, RunArtifacts artifacts, TrainerEvents events, CancelledRuns cancels,
                RunLeases leases, BooleanSupplier stopping, Consumer<String> waiting) {
        this.cause = cause;
        this.artifacts = artifacts;
        this.events = events;
        this.cancels = cancels;
        this.leases = leases;
        this.stopping = stopping;
        this.waiting = waiting;
    }

    Done execute() {
        String runId = cause.runId();
        if (stopping.getAsBoolean()) {
            return Done.suspended("shutdown before training started");
        }
        if (artifacts.completed(runId)) {
            LOG.infof("run %s: already completed; redelivery ignored", runId);
            return Done.skipped("already-trained", "already completed; not trained again");
        }
        if (!leases.acquire(runId, () -> artifacts.completed(runId) || cancels.isCancelled(runId)
                || stopping.getAsBoolean(), waiting)) {
            if (artifacts.completed(runId)) {
                return Done.skipped("already-trained", "completed by the replica holding its lease; not trained again");
            }
            return stopping.getAsBoolean() ? Done.suspended("shutdown while another replica held the lease")
                    : Done.skipped("cancelled", "cancelled while another replica held its lease");
        }
        Path runDir = artifacts.runDir(runId);
        try {
            Path dataset = artifacts.downloadDataset(cause.datasetUri(), runDir);
            Path model = artifacts.resolveModel(cause.request().model());
            Optional<Integer> latest = artifacts.latestCheckpoint(runId);
            Path resume = latest.map(step -> artifacts.downloadCheckpoint(runId, step, runDir)).orElse(null);
            latest.ifPresent(step -> LOG.infof("run %s: resuming from stored checkpoint step %d", runId, step));
            TrainStage.Outcome outcome = TrainStage.run(cause.request(), new TrainStage.Inputs(model,
                    cause.request().model().nameOrPath(), dataset, cause.vocabSize(), runDir.resolve("out"), resume),
                    this, () -> cancels.isCancelled(runId) || stopping.getAsBoolean());
            return new Done("accepted", (outcome.result().cancelled() ? "cancelled at step " : "trained to step ")
                    + outcome.result().step(), false);
        } catch (Suspended s) {
            String from = s.step == 0 ? "the start" : artifacts.checkpointUri(runId, s.step);
            LOG.infof("run %s: stopped by shutdown at step %d; the run resumes from %s", runId, s.step, from);
            return Done.suspended("stopped by shutdown at step " + s.step + "; resumes from " + from);
        } finally {
            RunArtifacts.deleteTree(runDir);
            leases.release(runId);
        }
    }

    /** A shutdown, not a user's cancel, is what stops the loop. */
    private boolean suspending() {
        return stopping.getAsBoolean() && !cancels.isCancelled(cause.runId());
    }

    @Override
    public void onStarted(int totalSteps, int resumedFromStep, String device, long trainable, long total) {
        this.totalSteps = totalSteps;
        this.startStep = resumedFromStep;
        events.publish(TrainingStarted.of(Envelope.causedBy(cause.runId(), cause.eventId()), totalSteps,
                resumedFromStep, device, trainable, total));
        if (resumedFromStep > 0 && resumedFromStep < totalSteps) {
            // the checkpoint was uploaded but a crash may have come before its CheckpointSaved: announce it now
            announce(resumedFromStep, artifacts.storedCheckpointFiles(cause.runId(), resumedFromStep), false,
                    Map.of());
        }
    }

    @Override
    public void onLog(StepLog log) {
        events.publish(TrainingProgressed.of(Envelope.causedBy(cause.runId(), cause.eventId()),
                TrainingProgressed.TRAIN, log.step(), log.totalSteps(), log.metrics().getOrDefault("epoch", 0.0),
                log.metrics(), log.tokensPerSecond(), log.etaSeconds()));
    }

    @Override
    public void onEvaluate(int step, double epoch, Map<String, Double> metrics) {
        events.publish(TrainingProgressed.of(Envelope.causedBy(cause.runId(), cause.eventId()),
                TrainingProgressed.EVAL, step, totalSteps, epoch, metrics, 0.0, 0.0));
    }

    @Override
    public void onCheckpoint(int step, Path dir, boolean finalCheckpoint, Map<String, Double> metrics) {
        boolean suspend = suspending() && step < totalSteps;
        if (suspend && step <= startStep) {
            throw new Suspended(step); // stopped before its first step: what is stored already is the resume point
        }
        boolean last = finalCheckpoint && !suspend;
        if (!artifacts.checkpointPublished(cause.runId(), step, last)) {
            announce(step, artifacts.uploadCheckpoint(cause.runId(), step, dir), last, metrics);
        }
        if (suspend) {
            throw new Suspended(step);
        }
    }

    /** CheckpointSaved of a stored checkpoint, once per (step, finality). */
    private void announce(int step, Map<String, String> files, boolean last, Map<String, Double> metrics) {
        String runId = cause.runId();
        events.publishOnce(CheckpointSaved.of(Envelope.once(runId, cause.eventId(), CheckpointSaved.class,
                        artifacts.checkpointName(step, last)), step, totalSteps, artifacts.checkpointUri(runId, step),
                files, metrics, last, cause.request()), artifacts.checkpointPublishedKey(runId, step, last));
    }

    @Override
    public void onCompleted(TrainStage.Outcome outcome) {
        int step = outcome.result().step();
        if (outcome.result().cancelled() && suspending()) {
            throw new Suspended(step);
        }
        String adapterUri = artifacts.checkpointUri(cause.runId(), step);
        events.publish(TrainingCompleted.of(Envelope.once(cause.runId(), cause.eventId(), TrainingCompleted.class,
                        ""), step, adapterUri, outcome.finalMetrics(), outcome.durationSeconds(),
                outcome.result().cancelled(), cause.request()));
        artifacts.markCompleted(cause.runId(), step, adapterUri, outcome.result().cancelled());
    }
}

package dev.orpo.trainer;

import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.contracts.events.DatasetPrepared;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.events.TrainingCompleted;
import dev.orpo.contracts.events.TrainingProgressed;
import dev.orpo.contracts.events.TrainingStarted;
import dev.orpo.model.train.StepLog;
import dev.orpo.stages.train.TrainStage;
import dev.orpo.stages.train.TrainStageListener;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One DatasetPrepared taken to its end on the worker thread: skip when the run's completion marker exists, wait
 * while another replica holds the run's lease ({@link RunLeases}), else download dataset + base model, resume from the latest stored checkpoint if any, train with {@link TrainStage}, and
 * publish TrainingStarted → TrainingProgressed per log/eval → CheckpointSaved per uploaded checkpoint →
 * TrainingCompleted, then write the marker. Errors propagate to {@link TrainingWorker}, which publishes RunFailed.
 */
final class TrainingRun implements TrainStageListener {
    private static final Logger LOG = Logger.getLogger(TrainingRun.class);
    private static final int V = PipelineEvent.SCHEMA_VERSION;

    private final DatasetPrepared event;
    private final RunArtifacts artifacts;
    private final TrainerEvents events;
    private final CancelledRuns cancels;
    private final RunLeases leases;
    private final Consumer<String> waiting;
    private int totalSteps;

    /** @param waiting told the other replica's name when this one waits for its lease */
    TrainingRun(DatasetPrepared event, RunArtifacts artifacts, TrainerEvents events, CancelledRuns cancels,
                RunLeases leases, Consumer<String> waiting) {
        this.event = event;
        this.artifacts = artifacts;
        this.events = events;
        this.cancels = cancels;
        this.leases = leases;
        this.waiting = waiting;
    }

    /** @return what happened, one line for /consumed */
    String execute() {
        String runId = event.runId();
        if (artifacts.completed(runId)) {
            LOG.infof("run %s: already completed (%s exists); redelivery ignored", runId, RunArtifacts.COMPLETED_MARKER);
            return "already completed; not trained again";
        }
        if (!leases.acquire(runId, () -> artifacts.completed(runId) || cancels.isCancelled(runId), waiting)) {
            return artifacts.completed(runId) ? "completed by the replica holding its lease; not trained again"
                    : "cancelled while another replica held its lease";
        }
        Path runDir = artifacts.runDir(runId);
        try {
            Path dataset = artifacts.downloadDataset(event.datasetUri(), runDir);
            Path model = artifacts.resolveModel(event.request().model());
            Optional<Integer> latest = artifacts.latestCheckpoint(runId);
            Path resume = latest.map(step -> artifacts.downloadCheckpoint(runId, step, runDir)).orElse(null);
            latest.ifPresent(step -> LOG.infof("run %s: resuming from stored checkpoint step-%d", runId, step));
            TrainStage.Outcome outcome = TrainStage.run(event.request(), new TrainStage.Inputs(model,
                    event.request().model().nameOrPath(), dataset, event.vocabSize(), runDir.resolve("out"), resume),
                    this, () -> cancels.isCancelled(runId));
            return (outcome.result().cancelled() ? "cancelled at step " : "trained to step ")
                    + outcome.result().step();
        } finally {
            RunArtifacts.deleteTree(runDir);
            leases.release(runId);
        }
    }

    @Override
    public void onStarted(int totalSteps, int resumedFromStep, String device, long trainable, long total) {
        this.totalSteps = totalSteps;
        events.publish(new TrainingStarted(PipelineEvent.newEventId(), event.runId(), V, Instant.now(),
                event.eventId(), totalSteps, resumedFromStep, device, trainable, total));
    }

    @Override
    public void onLog(StepLog log) {
        events.publish(new TrainingProgressed(PipelineEvent.newEventId(), event.runId(), V, Instant.now(),
                event.eventId(), TrainingProgressed.TRAIN, log.step(), log.totalSteps(),
                log.metrics().getOrDefault("epoch", 0.0), log.metrics(), log.tokensPerSecond(), log.etaSeconds()));
    }

    @Override
    public void onEvaluate(int step, double epoch, Map<String, Double> metrics) {
        events.publish(new TrainingProgressed(PipelineEvent.newEventId(), event.runId(), V, Instant.now(),
                event.eventId(), TrainingProgressed.EVAL, step, totalSteps, epoch, metrics, 0.0, 0.0));
    }

    @Override
    public void onCheckpoint(int step, Path dir, boolean finalCheckpoint, Map<String, Double> metrics) {
        Map<String, String> files = artifacts.uploadCheckpoint(event.runId(), step, dir);
        events.publish(new CheckpointSaved(PipelineEvent.newEventId(), event.runId(), V, Instant.now(),
                event.eventId(), step, totalSteps, artifacts.checkpointUri(event.runId(), step), files, metrics,
                finalCheckpoint, event.request()));
    }

    @Override
    public void onCompleted(TrainStage.Outcome outcome) {
        int step = outcome.result().step();
        String adapterUri = artifacts.checkpointUri(event.runId(), step);
        events.publish(new TrainingCompleted(PipelineEvent.newEventId(), event.runId(), V, Instant.now(),
                event.eventId(), step, adapterUri, outcome.finalMetrics(), outcome.durationSeconds(),
                outcome.result().cancelled(), event.request()));
        artifacts.markCompleted(event.runId(), step, adapterUri, outcome.result().cancelled());
    }
}

package dev.orpo.trainer;

import dev.orpo.contracts.events.DatasetPrepared;
import dev.orpo.service.ConsumedRuns;
import dev.orpo.service.StageRunner;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The replica's single training thread: one run at a time (a run uses every core it is given), later runs wait in
 * arrival order, each under the service-support {@link StageRunner} (RunFailed for a run that fails).
 *
 * <p>Shutdown (SIGTERM): the runner flags the service as stopping; the running {@link TrainingRun} stops at its next
 * step boundary, uploads a checkpoint, announces it and leaves the run unacknowledged, to be resumed from there by the
 * next replica that receives it. This class waits for that at most {@code quarkus.shutdown.timeout} (the grace; keep
 * it below the pod's {@code terminationGracePeriodSeconds}), then interrupts the run: the run then resumes from its
 * last periodic checkpoint instead.
 */
@ApplicationScoped
public class TrainingWorker {
    static final String STAGE = "training";
    private static final Logger LOG = Logger.getLogger(TrainingWorker.class);

    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "orpo-trainer");
        t.setDaemon(true);
        return t;
    });

    @Inject
    RunArtifacts artifacts;

    @Inject
    TrainerEvents events;

    @Inject
    CancelledRuns cancels;

    @Inject
    ConsumedRuns consumed;

    @Inject
    RunLeases leases;

    @Inject
    StageRunner runner;

    /** How long a shutdown waits for the running step, its checkpoint upload and CheckpointSaved. */
    @ConfigProperty(name = "quarkus.shutdown.timeout", defaultValue = "PT270S")
    Duration grace;

    /** Queues the run; the stage completes when it has trained (or failed and said so), never when suspended. */
    public CompletionStage<Void> submit(DatasetPrepared event, String channel) {
        return runner.submit(event, channel, STAGE, null, executor, () -> new TrainingRun(event, artifacts, events,
                cancels, leases, runner::stopping, owner -> consumed.record(event.runId(), channel, event.eventId(),
                "queued", "waiting: leased by " + owner)).execute());
    }

    void shutdown(@Observes ShutdownEvent ev) throws InterruptedException {
        executor.shutdown();
        long start = System.nanoTime();
        if (executor.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.infof("training worker stopped in %.1f s", (System.nanoTime() - start) / 1e9);
        } else {
            LOG.warnf("the running step and its checkpoint did not finish within %s (quarkus.shutdown.timeout);"
                    + " interrupting: the run resumes from its last periodic checkpoint", grace);
            executor.shutdownNow();
        }
    }
}

package dev.orpo.trainer;

import dev.orpo.contracts.events.DatasetPrepared;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.contracts.request.FieldError;
import dev.orpo.service.ConsumedRuns;
import dev.orpo.stages.train.StageFailure;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The replica's single training thread: one run at a time (a run uses every core it is given), later runs wait in
 * arrival order. A run that fails publishes RunFailed(stage training) and completes normally, so its record is
 * committed rather than retried; only a failure to publish RunFailed itself fails the record.
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

    /** Queues the run; the stage completes when it has trained (or failed and said so). */
    public CompletionStage<Void> submit(DatasetPrepared event, String channel) {
        return CompletableFuture.runAsync(() -> run(event, channel), executor);
    }

    private void run(DatasetPrepared event, String channel) {
        try {
            String detail = new TrainingRun(event, artifacts, events, cancels, leases, owner -> consumed.record(
                    event.runId(), channel, event.eventId(), "queued", "waiting: leased by " + owner)).execute();
            consumed.record(event.runId(), channel, event.eventId(), "accepted", detail);
        } catch (RuntimeException e) {
            String field = e instanceof StageFailure f && f.field() != null ? f.field() : "training";
            String reason = e instanceof StageFailure ? e.getMessage() : e.getClass().getSimpleName() + ": "
                    + e.getMessage();
            LOG.errorf(e, "run %s: training failed: %s", event.runId(), reason);
            events.publish(RunFailed.of(event.runId(), event.eventId(), STAGE, reason,
                    List.of(new FieldError(field, reason))));
            consumed.record(event.runId(), channel, event.eventId(), "failed", reason);
        }
    }

    /**
     * Before the engine loads: no network probes (offline; models come from the object store) and
     * {@code orpo.trainer.threads} intra-op threads, unless set on the command line.
     */
    void configureEngine(@Observes StartupEvent ev,
                         @ConfigProperty(name = "orpo.trainer.threads") int threads) {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        System.setProperty("ai.djl.pytorch.num_threads",
                System.getProperty("ai.djl.pytorch.num_threads", Integer.toString(threads)));
    }

    void shutdown(@Observes ShutdownEvent ev) {
        executor.shutdownNow();
    }
}

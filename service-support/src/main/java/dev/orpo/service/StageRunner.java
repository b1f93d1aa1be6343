package dev.orpo.service;

import dev.orpo.contracts.events.Envelope;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.events.RunFailed;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * "Run the stage for a consumed event, publish its result or RunFailed, record it as consumed", written once for every
 * service, under the one {@link FailurePolicy}. A consumer hands its record to {@link #consume}; the returned stage
 * completes when the record may be acknowledged:
 *
 * <ul>
 *   <li>the work returned a {@link Done} → recorded under {@code /consumed}, acknowledged;</li>
 *   <li>it failed with an outage → run again after 5 s, 10 s, 20 s (at most {@code orpo.stage.max-attempts}
 *       attempts), then treated as a failed run;</li>
 *   <li>it failed for its input, or with a bug → {@code RunFailed} published (once per cause), acknowledged;</li>
 *   <li>the record is not a valid event, or the outcome could not be published → failed stage: the connector
 *       dead-letters the record;</li>
 *   <li>the work was {@linkplain Done#suspended() suspended}, or failed while the service shuts down → the stage never
 *       completes, so the record stays unacknowledged and is delivered again after the restart.</li>
 * </ul>
 */
@ApplicationScoped
public class StageRunner {
    private static final Logger LOG = Logger.getLogger(StageRunner.class);
    static final Duration FIRST_RETRY = Duration.ofSeconds(5);

    /** One consumed event's work; returns what happened. */
    @FunctionalInterface
    public interface Work {
        Done run() throws Exception;
    }

    /**
     * What the work did, for {@code /consumed}.
     *
     * @param outcome {@code accepted}, {@code skipped}, {@code already-...}, or {@code suspended}
     * @param timed   record the stage's duration ({@code orpo.stage.duration})
     */
    public record Done(String outcome, String detail, boolean timed) {
        public static final String SUSPENDED = "suspended";

        /** The stage did its work. */
        public static Done accepted(String detail) {
            return new Done("accepted", detail, true);
        }

        /** Nothing to do (not requested, done before): {@code outcome} says which. */
        public static Done skipped(String outcome, String detail) {
            return new Done(outcome, detail, false);
        }

        /** Stopped by shutdown, left to be delivered again. */
        public static Done suspended(String detail) {
            return new Done(SUSPENDED, detail, false);
        }

        public boolean suspended() {
            return SUSPENDED.equals(outcome);
        }
    }

    @Inject
    ConsumedRuns consumed;

    @Inject
    PublishedEvents published;

    @Inject
    EventPublisher publisher;

    @Inject
    @Channel("run-failed")
    Emitter<byte[]> runFailed;

    /** 4 attempts: with 5 + 10 + 20 s between them a restarting S3 or DNS hiccup is ridden out. */
    @ConfigProperty(name = "orpo.stage.max-attempts", defaultValue = "4")
    int maxAttempts;

    private volatile boolean stopping;
    /** Parses records and hands them to their stage's executor: cheap work, one thread for every channel. */
    private final ExecutorService dispatch = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "orpo-dispatch");
        t.setDaemon(true);
        return t;
    });

    /**
     * Parses the record as {@code type} and hands the event to {@code handle}, both on the runner's dispatch thread
     * (never on the connector's event loop). A malformed record fails the returned stage: the connector dead-letters
     * it with the parse error as {@code dead-letter-reason}.
     */
    public <E extends PipelineEvent> CompletionStage<Void> consume(ConsumerRecord<String, byte[]> record,
                                                                   Class<E> type, String channel,
                                                                   Function<E, CompletionStage<Void>> handle) {
        CompletableFuture<Void> acknowledge = new CompletableFuture<>();
        dispatch.execute(() -> {
            try {
                E event = EventMessages.parse(record.value(), type, record.topic());
                handle.apply(event).whenComplete((ok, failure) -> {
                    if (failure == null) {
                        acknowledge.complete(null);
                    } else {
                        acknowledge.completeExceptionally(failure instanceof CompletionException c
                                && c.getCause() != null ? c.getCause() : failure);
                    }
                });
            } catch (MalformedEventException e) {
                consumed.count(channel, "dead-lettered");
                acknowledge.completeExceptionally(e);
            } catch (RuntimeException e) { // a bug in a handler: the record is not lost, it goes to the DLQ
                LOG.errorf(e, "%s: cannot hand the record over", channel);
                acknowledge.completeExceptionally(e);
            }
        });
        return acknowledge;
    }

    /** Records {@code cause} as handled on the spot, nothing queued (not requested, a flag set); acknowledged at once. */
    public CompletionStage<Void> handled(PipelineEvent cause, String channel, String outcome, String detail) {
        consumed.record(cause.runId(), channel, cause.eventId(), outcome, detail);
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Queues {@code work} for {@code cause} on {@code executor} under the failure policy.
     *
     * @param stage RunFailed's stage ({@code dataset}, {@code training}, {@code merge}, {@code eval})
     * @param what  the target within the run, prefixed to a failure's reason ({@code checkpoint step 10}); or null
     */
    public CompletionStage<Void> submit(PipelineEvent cause, String channel, String stage, String what,
                                        Executor executor, Work work) {
        consumed.record(cause.runId(), channel, cause.eventId(), "queued", "waiting for the " + stage + " worker");
        CompletableFuture<Void> acknowledge = new CompletableFuture<>();
        executor.execute(() -> runAttempts(cause, channel, stage, what, work, acknowledge));
        return acknowledge;
    }

    private void runAttempts(PipelineEvent cause, String channel, String stage, String what, Work work,
                             CompletableFuture<Void> acknowledge) {
        long start = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            try {
                Done done = work.run();
                consumed.record(cause.runId(), channel, cause.eventId(), done.outcome(), done.detail());
                if (done.suspended()) {
                    return; // never acknowledged: delivered again after the restart
                }
                if (done.timed()) {
                    published.stageTook(stage, start);
                }
                acknowledge.complete(null);
                return;
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                if (stopping) {
                    LOG.infof("run %s: %s interrupted by shutdown (%s); left for redelivery", cause.runId(), stage, e);
                    consumed.record(cause.runId(), channel, cause.eventId(), Done.SUSPENDED, "shutdown: " + e);
                    return;
                }
                FailurePolicy.Action action = FailurePolicy.classify(e);
                if (action == FailurePolicy.Action.DEAD_LETTER) {
                    LOG.errorf(e, "run %s: %s cannot be completed; the record goes to the dead-letter topic",
                            cause.runId(), stage);
                    consumed.record(cause.runId(), channel, cause.eventId(), "dead-lettered", e.getMessage());
                    acknowledge.completeExceptionally(e);
                    return;
                }
                if (action == FailurePolicy.Action.RETRY && attempt < maxAttempts) {
                    Duration wait = FIRST_RETRY.multipliedBy(1L << (attempt - 1));
                    LOG.warnf("run %s: %s attempt %d of %d hit an outage (%s); again in %s", cause.runId(), stage,
                            attempt, maxAttempts, e, wait);
                    consumed.record(cause.runId(), channel, cause.eventId(), "retrying", e.toString());
                    if (pause(wait)) {
                        continue;
                    }
                    consumed.record(cause.runId(), channel, cause.eventId(), Done.SUSPENDED, "shutdown during retry");
                    return;
                }
                failRun(cause, channel, stage, what, e, acknowledge);
                return;
            }
        }
    }

    private void failRun(PipelineEvent cause, String channel, String stage, String what, Throwable e,
                         CompletableFuture<Void> acknowledge) {
        FailurePolicy.RunFailure f = FailurePolicy.describe(stage, what, e);
        LOG.errorf(e, "run %s: %s failed: %s %s", cause.runId(), stage, f.reason(), f.errors());
        try {
            publisher.state(runFailed, RunFailed.of(Envelope.once(cause.runId(), cause.eventId(), RunFailed.class,
                    f.stage() + "/" + cause.eventId()), f.stage(), f.reason(), f.errors()));
        } catch (EventPublishException publishFailed) {
            consumed.record(cause.runId(), channel, cause.eventId(), "dead-lettered", publishFailed.getMessage());
            acknowledge.completeExceptionally(publishFailed);
            return;
        }
        consumed.record(cause.runId(), channel, cause.eventId(), "failed", f.reason());
        acknowledge.complete(null);
    }

    /** @return false when interrupted (shutdown) */
    private static boolean pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** True from the moment the service begins to shut down: long work stops at its next safe point. */
    public boolean stopping() {
        return stopping;
    }

    void onShutdown(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        stopping = true;
    }
}

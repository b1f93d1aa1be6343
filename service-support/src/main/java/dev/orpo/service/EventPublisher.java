package dev.orpo.service;

import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.store.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Publishes a service's events in two ways.
 *
 * <ul>
 *   <li>{@link #state}: events that carry the pipeline's state ({@code DatasetPrepared}, {@code CheckpointSaved},
 *       {@code TrainingCompleted}, {@code ModelMerged}, {@code EvaluationCompleted}, {@code RunFailed}). The call
 *       returns once the broker has the record. While the broker is away the Kafka producer retries the same record
 *       (idempotent producer, {@code acks=all}); if it gives up ({@code delivery.timeout.ms}) the record is sent again
 *       after a backoff of 1 s, doubling to at most 30 s, until {@code orpo.events.state-deadline} has passed
 *       (then {@link EventPublishException}). Re-sending keeps the event's id. {@link #stateOnce} adds an object-store
 *       marker so a restarted service never publishes a fact twice.</li>
 *   <li>{@link #bestEffort}: progress ({@code TrainingStarted}, {@code TrainingProgressed}). Waits at most
 *       {@code orpo.events.best-effort-wait} for the broker, then goes on (the producer may still deliver it later);
 *       while the broker is away it does not wait at all. A lost progress event never fails a run.</li>
 * </ul>
 */
@ApplicationScoped
public class EventPublisher {
    private static final Logger LOG = Logger.getLogger(EventPublisher.class);
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    @Inject
    PublishedEvents published;

    @Inject
    ObjectStore store;

    /**
     * How long a state event is retried before the record that caused it is dead-lettered: 15 minutes rides out a
     * broker restart or a rolling upgrade, and is short enough that a lasting outage shows in the DLQ the same hour.
     */
    @ConfigProperty(name = "orpo.events.state-deadline", defaultValue = "PT15M")
    Duration stateDeadline;

    /** 5 s: a healthy broker acknowledges in milliseconds; longer would slow training while it is away. */
    @ConfigProperty(name = "orpo.events.best-effort-wait", defaultValue = "PT5S")
    Duration bestEffortWait;

    @ConfigProperty(name = "quarkus.application.name")
    String application;

    private final AtomicBoolean brokerAway = new AtomicBoolean();

    /** The CloudEvents source of this service's events: {@code /orpo/<quarkus.application.name>}. */
    public URI source() {
        return URI.create("/orpo/" + application);
    }

    /** Publishes a state event, retrying until the broker has it or the deadline passes. */
    public void state(Emitter<byte[]> emitter, PipelineEvent event) {
        long deadline = System.nanoTime() + stateDeadline.toNanos();
        Duration backoff = FIRST_BACKOFF;
        for (int attempt = 1; ; attempt++) {
            CompletableFuture<Void> written = new CompletableFuture<>();
            try {
                emitter.send(EventMessages.toMessage(event, source(), written));
                written.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                published.published(event);
                if (attempt > 1) {
                    LOG.infof("run %s: %s published at attempt %d", event.runId(), name(event), attempt);
                }
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EventPublishException("interrupted publishing " + name(event) + " for run "
                        + event.runId(), e);
            } catch (TimeoutException e) {
                throw new EventPublishException("cannot publish " + name(event) + " for run " + event.runId()
                        + ": not acknowledged within " + stateDeadline, e);
            } catch (ExecutionException | RuntimeException e) { // nacked: the producer gave up, or the emitter refused
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new EventPublishException("cannot publish " + name(event) + " for run " + event.runId()
                            + " within " + stateDeadline + ": " + cause, cause);
                }
                LOG.warnf("run %s: cannot publish %s (attempt %d): %s; again in %s", event.runId(), name(event),
                        attempt, cause, backoff);
                pause(Duration.ofNanos(Math.min(left, backoff.toNanos())));
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    /**
     * {@link #state} once per fact: nothing when {@code markerKey} exists in the object store, else publishes and
     * then writes the marker ({@code event_id}, {@code published_at}). A crash between the two publishes it again on
     * redelivery, with the same event id when the event's envelope was {@code Envelope.once}.
     *
     * @return false when the marker said it was published before
     */
    public boolean stateOnce(Emitter<byte[]> emitter, PipelineEvent event, String markerKey) {
        if (store.exists(markerKey)) {
            LOG.infof("run %s: %s already published (%s); not again", event.runId(), name(event), markerKey);
            return false;
        }
        state(emitter, event);
        store.putBytes(markerKey, Json.toBytes(Map.of("event_id", event.eventId(), "published_at",
                Instant.now().toString())));
        return true;
    }

    /** Publishes a progress event without ever failing the caller. */
    public void bestEffort(Emitter<byte[]> emitter, PipelineEvent event) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        written.whenComplete((ok, failure) -> {
            if (failure == null) {
                published.published(event);
                if (brokerAway.compareAndSet(true, false)) {
                    LOG.infof("run %s: progress events reach the broker again", event.runId());
                }
            }
        });
        try {
            emitter.send(EventMessages.toMessage(event, source(), written));
            if (!brokerAway.get()) {
                written.get(bestEffortWait.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            if (brokerAway.compareAndSet(false, true)) {
                LOG.warnf("run %s: %s not published (%s); progress events are best effort: training goes on, and"
                        + " they are not waited for until the broker answers again", event.runId(), name(event),
                        e instanceof ExecutionException ? e.getCause() : e);
            }
        }
    }

    private static String name(PipelineEvent event) {
        return event.getClass().getSimpleName();
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(Math.max(1, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EventPublishException("interrupted while waiting to publish again", e);
        }
    }
}

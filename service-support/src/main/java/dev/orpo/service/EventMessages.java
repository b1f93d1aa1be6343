package dev.orpo.service;

import dev.orpo.contracts.CloudEventHeaders;
import dev.orpo.contracts.Json;
import dev.orpo.contracts.RunIds;
import dev.orpo.contracts.events.PipelineEvent;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Events to and from Kafka records: contracts JSON (snake_case) as bytes, the run id as key, CloudEvents binary headers
 * ({@code ce_id} = event id, {@code ce_type} = {@code dev.orpo.<Event>.v<N>}, {@code ce_subject} = run id).
 */
public final class EventMessages {

    private EventMessages() {
    }

    /** Reads an incoming payload; a malformed one throws, which sends the record to the channel's DLQ. */
    public static <T extends PipelineEvent> T parse(byte[] payload, Class<T> type, String topic) {
        if (payload == null || payload.length == 0) {
            throw new MalformedEventException("empty " + type.getSimpleName() + " on " + topic);
        }
        T event;
        try {
            event = Json.fromBytes(payload, type);
        } catch (RuntimeException e) {
            throw new MalformedEventException("malformed " + type.getSimpleName() + " on " + topic + ": "
                    + e.getMessage(), e);
        }
        if (!RunIds.isValid(event.runId())) {
            throw new MalformedEventException(type.getSimpleName() + " on " + topic + " has an invalid run_id: "
                    + event.runId());
        }
        if (event.eventId() == null || event.eventId().isBlank()) {
            throw new MalformedEventException(type.getSimpleName() + " for " + event.runId() + " has no event_id");
        }
        return event;
    }

    /** How long to wait for the broker's acknowledgement before failing the incoming record (then retried/DLQ). */
    public static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Publishes {@code event} on {@code emitter}'s channel and waits until the broker has it, so a consumer
     * acknowledges its incoming record only after its outgoing events are durable.
     */
    public static void sendAndWait(Emitter<byte[]> emitter, PipelineEvent event, URI source) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        emitter.send(toMessage(event, source, written));
        try {
            written.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted publishing " + event.getClass().getSimpleName(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot publish " + event.getClass().getSimpleName() + " for run "
                    + event.runId() + ": " + e, e);
        }
    }

    /**
     * A message for an outgoing channel; the future completes when the broker has the record.
     *
     * @param source the CloudEvents source, e.g. {@code /orpo/trainer-service}
     */
    public static Message<byte[]> toMessage(PipelineEvent event, URI source, CompletableFuture<Void> written) {
        return Message.of(Json.toBytes(event))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(event.runId()).build())
                .addMetadata(OutgoingCloudEventMetadata.builder().withId(event.eventId()).withSource(source)
                        .withType(CloudEventHeaders.type(event.getClass(), event.schemaVersion()))
                        .withSubject(event.runId()).withTimestamp(event.occurredAt().atZone(java.time.ZoneOffset.UTC))
                        .withDataContentType(CloudEventHeaders.JSON).build())
                .withAck(() -> {
                    written.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(failure -> {
                    written.completeExceptionally(failure);
                    return CompletableFuture.completedFuture(null);
                });
    }
}

package dev.orpo.service;

import dev.orpo.contracts.CloudEventHeaders;
import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.RunIds;
import dev.orpo.contracts.events.PipelineEvent;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Events to and from Kafka records: contracts JSON (snake_case) as bytes, the run id as key, CloudEvents binary headers
 * ({@code ce_id} = event id, {@code ce_type} = {@code dev.orpo.<Event>.v<N>}, {@code ce_subject} = run id).
 */
public final class EventMessages {

    private EventMessages() {
    }

    /**
     * The largest payload read as an event: 1 MiB, Kafka's default record size. Events carry URIs and a request, a few
     * kB; anything bigger is refused before it is parsed.
     */
    public static final int MAX_PAYLOAD_BYTES = 1 << 20;

    /**
     * Reads an incoming payload. Throws {@link MalformedEventException} (the record then goes to the channel's DLQ,
     * the message in {@code dead-letter-reason}) for: an empty or oversized payload, text that is not JSON of
     * {@code type} (truncated, wrong field types), an invalid {@code run_id}, no {@code event_id}, a
     * {@code schema_version} below 1, or a required payload field missing ({@link PipelineEvent#missingFields}).
     * A newer schema version is read: within a topic versions only add fields, which a reader ignores.
     */
    public static <T extends PipelineEvent> T parse(byte[] payload, Class<T> type, String topic) {
        String name = type.getSimpleName();
        if (payload == null || payload.length == 0) {
            throw new MalformedEventException("empty " + name + " on " + topic);
        }
        if (payload.length > MAX_PAYLOAD_BYTES) {
            throw new MalformedEventException(name + " on " + topic + " refused unread: payload of " + payload.length
                    + " bytes is over the " + MAX_PAYLOAD_BYTES + "-byte limit of an event");
        }
        T event;
        try {
            event = Json.fromBytes(payload, type);
        } catch (RuntimeException e) {
            throw new MalformedEventException("malformed " + name + " on " + topic + ": " + e.getMessage(), e);
        }
        if (event == null) {
            throw new MalformedEventException("malformed " + name + " on " + topic + ": null");
        }
        if (!RunIds.isValid(event.runId())) {
            throw new MalformedEventException(name + " on " + topic + " has an invalid run_id: " + event.runId());
        }
        if (event.eventId() == null || event.eventId().isBlank()) {
            throw new MalformedEventException(name + " for " + event.runId() + " has no event_id");
        }
        if (event.schemaVersion() < 1) {
            throw new MalformedEventException(name + " for " + event.runId() + " has schema_version "
                    + event.schemaVersion() + " (missing or below 1)");
        }
        List<String> missing = event.missingFields();
        if (!missing.isEmpty()) {
            throw new MalformedEventException(name + " for " + event.runId() + " has no " + String.join(", ",
                    missing));
        }
        return event;
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

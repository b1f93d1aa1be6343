package dev.orpo.contracts.events;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * What every event carries besides its payload: id, run id, schema version, time and causation. Built here and only
 * here; each event record's {@code of(Envelope, ...)} takes one.
 *
 * <p>Two kinds of id. A <em>fact that may happen many times</em> (progress, a user's command) gets a random id. A
 * <em>state fact</em> that must be announced once per (run, event type, step) gets an id derived from that
 * idempotency key ({@link #once}): should a restart publish it again, the copy carries the same {@code event_id} (and
 * CloudEvents {@code ce_id}), so a consumer can tell it is the same fact.
 *
 * @param causationId the {@code event_id} this event reacts to; null for a user's command
 */
public record Envelope(String eventId, String runId, int schemaVersion, Instant occurredAt, String causationId) {

    /** A user's command ({@code orpo submit}, {@code orpo cancel}): fresh id, no cause. */
    public static Envelope command(String runId) {
        return new Envelope(PipelineEvent.newEventId(), runId, PipelineEvent.SCHEMA_VERSION, Instant.now(), null);
    }

    /** A fact caused by the event {@code causationId} of {@code runId}, with a fresh id. */
    public static Envelope causedBy(String runId, String causationId) {
        return new Envelope(PipelineEvent.newEventId(), runId, PipelineEvent.SCHEMA_VERSION, Instant.now(),
                causationId);
    }

    /**
     * A state fact announced once per {@code (runId, type, step)}: its id is a name-based UUID of
     * {@link #idempotencyKey}, equal for every publication of the same fact.
     *
     * @param step what tells two facts of one type and run apart (a step, {@code final}, a target), or "" for none
     */
    public static Envelope once(String runId, String causationId, Class<? extends PipelineEvent> type, String step) {
        String key = idempotencyKey(runId, type, step);
        return new Envelope(UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString(), runId,
                PipelineEvent.SCHEMA_VERSION, Instant.now(), causationId);
    }

    /** {@code <runId>/<EventType>/<step>}: names one state fact of a run. */
    public static String idempotencyKey(String runId, Class<? extends PipelineEvent> type, String step) {
        return runId + "/" + type.getSimpleName() + "/" + step;
    }
}

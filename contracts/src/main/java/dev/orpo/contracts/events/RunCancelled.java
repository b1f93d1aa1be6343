package dev.orpo.contracts.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;

/** A user cancelled a run ({@code orpo cancel}); the trainer stops at the next step with a final checkpoint. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RunCancelled(String eventId, String runId, int schemaVersion, Instant occurredAt, String causationId,
                           String reason) implements PipelineEvent {
    public static RunCancelled of(String runId, String reason) {
        return of(Envelope.command(runId), reason);
    }

    /** The event with the envelope's id, run id, schema version, time and causation. */
    public static RunCancelled of(Envelope e, String reason) {
        return new RunCancelled(e.eventId(), e.runId(), e.schemaVersion(), e.occurredAt(), e.causationId(), reason);
    }
}

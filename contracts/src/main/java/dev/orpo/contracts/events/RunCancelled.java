package dev.orpo.contracts.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;

/** A user cancelled a run ({@code orpo cancel}); the trainer stops at the next step with a final checkpoint. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RunCancelled(String eventId, String runId, int schemaVersion, Instant occurredAt, String causationId,
                           String reason) implements PipelineEvent {
    public static RunCancelled of(String runId, String reason) {
        return new RunCancelled(PipelineEvent.newEventId(), runId, SCHEMA_VERSION, Instant.now(), null, reason);
    }
}

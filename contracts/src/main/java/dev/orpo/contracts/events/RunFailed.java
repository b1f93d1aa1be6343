package dev.orpo.contracts.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.orpo.contracts.request.FieldError;

import java.time.Instant;
import java.util.List;

/**
 * A stage could not do its work.
 *
 * @param stage  dataset | training | merge | eval | request
 * @param reason one line for people
 * @param errors the offending fields or rows ({@code dataset.rows[17].chosen: empty answer})
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RunFailed(String eventId, String runId, int schemaVersion, Instant occurredAt, String causationId,
                        String stage, String reason, List<FieldError> errors) implements PipelineEvent {
    public static RunFailed of(String runId, String causationId, String stage, String reason,
                               List<FieldError> errors) {
        return of(Envelope.causedBy(runId, causationId), stage, reason, errors);
    }

    /** The event with the envelope's id, run id, schema version, time and causation. */
    public static RunFailed of(Envelope e, String stage, String reason, List<FieldError> errors) {
        return new RunFailed(e.eventId(), e.runId(), e.schemaVersion(), e.occurredAt(), e.causationId(), stage,
                reason, errors == null ? List.of() : List.copyOf(errors));
    }
}

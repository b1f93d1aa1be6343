package dev.orpo.contracts.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.orpo.contracts.request.TrainingRequest;

import java.time.Instant;
import java.util.List;

/** A user asked for a run: the whole recipe. Published by {@code orpo submit}; consumed by dataset-service. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainingRequested(String eventId, String runId, int schemaVersion, Instant occurredAt,
                                String causationId, TrainingRequest request) implements PipelineEvent {
    @Override
    public List<String> missingFields() {
        return PipelineEvent.nullFields("request", request);
    }

    public static TrainingRequested of(String runId, TrainingRequest request) {
        return of(Envelope.command(runId), request);
    }

    /** The event with the envelope's id, run id, schema version, time and causation. */
    public static TrainingRequested of(Envelope e, TrainingRequest request) {
        return new TrainingRequested(e.eventId(), e.runId(), e.schemaVersion(), e.occurredAt(), e.causationId(),
                request);
    }
}

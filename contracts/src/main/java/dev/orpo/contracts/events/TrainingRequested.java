package dev.orpo.contracts.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.orpo.contracts.request.TrainingRequest;

import java.time.Instant;

/** A user asked for a run: the whole recipe. Published by {@code orpo submit}; consumed by dataset-service. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainingRequested(String eventId, String runId, int schemaVersion, Instant occurredAt,
                                String causationId, TrainingRequest request) implements PipelineEvent {
    public static TrainingRequested of(String runId, TrainingRequest request) {
        return new TrainingRequested(PipelineEvent.newEventId(), runId, SCHEMA_VERSION, Instant.now(), null, request);
    }
}

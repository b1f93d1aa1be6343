package dev.orpo.contracts.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.orpo.contracts.request.TrainingRequest;

import java.time.Instant;
import java.util.Map;

/** Training finished (or was cancelled, with a final checkpoint). Consumed by merger-service. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainingCompleted(String eventId, String runId, int schemaVersion, Instant occurredAt,
                                String causationId, long finalStep, String adapterUri, Map<String, Double> metrics,
                                double durationSeconds, boolean cancelled, TrainingRequest request)
        implements PipelineEvent {
}

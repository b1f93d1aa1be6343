package dev.orpo.contracts.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.orpo.contracts.request.TrainingRequest;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Training finished (or was cancelled, with a final checkpoint). Consumed by merger-service. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainingCompleted(String eventId, String runId, int schemaVersion, Instant occurredAt,
                                String causationId, long finalStep, String adapterUri, Map<String, Double> metrics,
                                double durationSeconds, boolean cancelled, TrainingRequest request)
        implements PipelineEvent {
    @Override
    public List<String> missingFields() {
        return PipelineEvent.nullFields("adapter_uri", adapterUri, "request", request);
    }

    /** The event with the envelope's id, run id, schema version, time and causation. */
    public static TrainingCompleted of(Envelope e, long finalStep, String adapterUri, Map<String, Double> metrics,
                                       double durationSeconds, boolean cancelled, TrainingRequest request) {
        return new TrainingCompleted(e.eventId(), e.runId(), e.schemaVersion(), e.occurredAt(), e.causationId(),
                finalStep, adapterUri, metrics, durationSeconds, cancelled, request);
    }
}

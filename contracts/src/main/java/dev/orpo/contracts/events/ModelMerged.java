package dev.orpo.contracts.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.orpo.contracts.request.TrainingRequest;

import java.time.Instant;
import java.util.List;

/** A complete Hugging Face model directory (base + adapter merged) is in the object store. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ModelMerged(String eventId, String runId, int schemaVersion, Instant occurredAt, String causationId,
                          long step, String modelUri, String dtype, int tensors, long bytes,
                          TrainingRequest request) implements PipelineEvent {
    @Override
    public List<String> missingFields() {
        return PipelineEvent.nullFields("model_uri", modelUri, "request", request);
    }

    /** The event with the envelope's id, run id, schema version, time and causation. */
    public static ModelMerged of(Envelope e, long step, String modelUri, String dtype, int tensors, long bytes,
                                 TrainingRequest request) {
        return new ModelMerged(e.eventId(), e.runId(), e.schemaVersion(), e.occurredAt(), e.causationId(), step,
                modelUri, dtype, tensors, bytes, request);
    }
}

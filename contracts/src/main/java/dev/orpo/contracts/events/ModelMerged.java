package dev.orpo.contracts.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.orpo.contracts.request.TrainingRequest;

import java.time.Instant;

/** A complete Hugging Face model directory (base + adapter merged) is in the object store. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ModelMerged(String eventId, String runId, int schemaVersion, Instant occurredAt, String causationId,
                          long step, String modelUri, String dtype, int tensors, long bytes,
                          TrainingRequest request) implements PipelineEvent {
}

package dev.orpo.contracts.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.orpo.contracts.request.TrainingRequest;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A PEFT adapter + trainer state is in the object store. Consumed by eval-service (every one) and merger-service
 * (final, or steps listed in merge.steps).
 *
 * @param checkpointUri {@code s3://.../runs/<runId>/checkpoints/step-<n>/}
 * @param files         file name → SHA-256 of what was uploaded
 * @param finalCheckpoint true for the checkpoint written at the end of training
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CheckpointSaved(String eventId, String runId, int schemaVersion, Instant occurredAt, String causationId,
                              long step, long totalSteps, String checkpointUri, Map<String, String> files,
                              Map<String, Double> metrics, boolean finalCheckpoint, TrainingRequest request)
        implements PipelineEvent {
    @Override
    public List<String> missingFields() {
        return PipelineEvent.nullFields("checkpoint_uri", checkpointUri, "request", request);
    }

    /** The event with the envelope's id, run id, schema version, time and causation. */
    public static CheckpointSaved of(Envelope e, long step, long totalSteps, String checkpointUri,
                                     Map<String, String> files, Map<String, Double> metrics, boolean finalCheckpoint,
                                     TrainingRequest request) {
        return new CheckpointSaved(e.eventId(), e.runId(), e.schemaVersion(), e.occurredAt(), e.causationId(), step,
                totalSteps, checkpointUri, files, metrics, finalCheckpoint, request);
    }
}

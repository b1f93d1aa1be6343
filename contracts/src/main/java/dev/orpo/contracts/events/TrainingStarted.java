package dev.orpo.contracts.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;

/**
 * The trainer took the run.
 *
 * @param resumedFromStep 0 for a fresh start, else the checkpoint step it resumed from
 * @param device          e.g. {@code cpu()} or {@code gpu(0)}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainingStarted(String eventId, String runId, int schemaVersion, Instant occurredAt, String causationId,
                              long totalSteps, long resumedFromStep, String device, long trainableParameters,
                              long totalParameters) implements PipelineEvent {
    /** The event with the envelope's id, run id, schema version, time and causation. */
    public static TrainingStarted of(Envelope e, long totalSteps, long resumedFromStep, String device,
                                     long trainableParameters, long totalParameters) {
        return new TrainingStarted(e.eventId(), e.runId(), e.schemaVersion(), e.occurredAt(), e.causationId(),
                totalSteps, resumedFromStep, device, trainableParameters, totalParameters);
    }
}

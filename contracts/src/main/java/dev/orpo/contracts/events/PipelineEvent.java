package dev.orpo.contracts.events;

import java.time.Instant;

/**
 * What every pipeline event carries. Events are immutable facts, named in the past tense, keyed by {@code runId}.
 *
 * <ul>
 *   <li>{@code eventId}: unique per event (UUID), the CloudEvents id</li>
 *   <li>{@code causationId}: the {@code eventId} of the event this one reacts to (null for a user's request)</li>
 *   <li>{@code schemaVersion}: payload version; bumped with additive changes, a breaking change gets a new topic</li>
 * </ul>
 */
public sealed interface PipelineEvent permits TrainingRequested, DatasetPrepared, TrainingStarted,
        TrainingProgressed, CheckpointSaved, TrainingCompleted, ModelMerged, EvaluationCompleted, RunFailed,
        RunCancelled {

    int SCHEMA_VERSION = 1;

    String eventId();

    String runId();

    int schemaVersion();

    Instant occurredAt();

    String causationId();

    /** A fresh event id. */
    static String newEventId() {
        return java.util.UUID.randomUUID().toString();
    }
}

package dev.orpo.contracts.events;

import java.time.Instant;
import java.util.List;

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

    /**
     * The payload fields a consumer cannot do without that are null in this event, named as on the wire (empty when
     * the event is whole). A consumer dead-letters an event that lacks any.
     */
    default List<String> missingFields() {
        return List.of();
    }

    /** The wire names of those of {@code fields} (name, value, name, value, ...) whose value is null. */
    static List<String> nullFields(Object... fields) {
        List<String> missing = new java.util.ArrayList<>();
        for (int i = 0; i < fields.length; i += 2) {
            if (fields[i + 1] == null) {
                missing.add((String) fields[i]);
            }
        }
        return missing;
    }

    /** A fresh event id. */
    static String newEventId() {
        return java.util.UUID.randomUUID().toString();
    }
}

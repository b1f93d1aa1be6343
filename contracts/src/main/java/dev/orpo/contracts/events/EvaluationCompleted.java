package dev.orpo.contracts.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;
import java.util.Map;

/**
 * An evaluation finished.
 *
 * @param target    {@code checkpoint} or {@code merged}
 * @param table     model name (e.g. {@code base}, {@code tuned}) → column (task or metric) → value, as the seed's table
 * @param reportUri {@code s3://.../runs/<runId>/eval/...}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record EvaluationCompleted(String eventId, String runId, int schemaVersion, Instant occurredAt,
                                  String causationId, String target, long step,
                                  Map<String, Map<String, Double>> table, String reportUri)
        implements PipelineEvent {
    /** {@code target} of a checkpoint's evaluation. */
    public static final String CHECKPOINT = "checkpoint";
    /** {@code target} of a merged model's evaluation. */
    public static final String MERGED = "merged";

    /** The event with the envelope's id, run id, schema version, time and causation. */
    public static EvaluationCompleted of(Envelope e, String target, long step, Map<String, Map<String, Double>> table,
                                         String reportUri) {
        return new EvaluationCompleted(e.eventId(), e.runId(), e.schemaVersion(), e.occurredAt(), e.causationId(),
                target, step, table, reportUri);
    }
}

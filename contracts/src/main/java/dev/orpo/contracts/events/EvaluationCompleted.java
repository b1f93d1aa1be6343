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
}

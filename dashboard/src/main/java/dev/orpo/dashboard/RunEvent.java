package dev.orpo.dashboard;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.orpo.contracts.events.PipelineEvent;

import java.time.Instant;

/**
 * One consumed event as the dashboard pushes it over SSE ({@code GET /api/runs/{id}/events}).
 *
 * @param seq   dashboard-wide arrival number, increasing; a client resumes with {@code ?after=seq}
 * @param topic the Kafka topic it came from
 * @param type  the event record's simple name, e.g. {@code TrainingProgressed}
 * @param at    the event's {@code occurred_at} (the record timestamp when the event carries none)
 * @param event the event as published (contracts JSON)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RunEvent(long seq, String topic, String type, String runId, Instant at, PipelineEvent event) {
}

package dev.orpo.dashboard;

import dev.orpo.contracts.Topics;

import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.RunIds;
import dev.orpo.contracts.events.PipelineEvent;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.time.Instant;

/**
 * Consumes channel {@code events} (every topic of {@code Topics.eventTopics()}, from the earliest offset, one consumer
 * group per instance) into {@link RunViews}. A record that is not a valid event is counted as
 * {@code orpo.dashboard.events{outcome=dead-lettered}} and nacked: it lands in {@code orpo.dlq.dashboard.events.v1} with
 * the reason, and the stream goes on.
 */
@ApplicationScoped
public class EventsConsumer {
    static final String CHANNEL = "events";
    private static final Logger LOG = Logger.getLogger(EventsConsumer.class);

    @Inject
    RunViews views;

    @Inject
    MeterRegistry registry;

    @Incoming(CHANNEL)
    public void onEvent(ConsumerRecord<String, byte[]> record) {
        PipelineEvent event;
        try {
            event = parse(record.topic(), record.value());
        } catch (RuntimeException e) {
            LOG.warnf("dead-lettering malformed record %s-%d@%d (key %s): %s", record.topic(), record.partition(),
                    record.offset(), record.key(), e.getMessage());
            registry.counter("orpo.dashboard.events", "topic", record.topic(), "outcome", "dead-lettered").increment();
            throw new IllegalArgumentException("malformed event on " + record.topic() + ": " + e.getMessage(), e);
        }
        Instant at = event.occurredAt() != null ? event.occurredAt() : Instant.ofEpochMilli(record.timestamp());
        views.apply(record.topic(), event, at);
    }

    /** Reads and checks one payload; throws naming the topic and the problem. */
    static PipelineEvent parse(String topic, byte[] payload) {
        if (payload == null || payload.length == 0) {
            throw new IllegalArgumentException("empty payload on " + topic);
        }
        PipelineEvent event = Topics.readEvent(topic, payload);
        if (event == null) {
            throw new IllegalArgumentException("null payload on " + topic);
        }
        if (!RunIds.isValid(event.runId())) {
            throw new IllegalArgumentException("invalid run_id on " + topic + ": " + event.runId());
        }
        if (event.eventId() == null || event.eventId().isBlank()) {
            throw new IllegalArgumentException("no event_id on " + topic + " for run " + event.runId());
        }
        return event;
    }
}

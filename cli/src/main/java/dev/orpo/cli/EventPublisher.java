package dev.orpo.cli;

import dev.orpo.contracts.CloudEventHeaders;
import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.PipelineEvent;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Publishes pipeline events the way every producer must: key = run id, JSON value, CloudEvents binary headers. */
public final class EventPublisher {
    /** CloudEvents {@code source} of events the CLI publishes. */
    public static final String SOURCE = "/orpo/cli";

    private EventPublisher() {
    }

    /** The Kafka record for an event: its topic, the run id as key, the CE headers. */
    public static ProducerRecord<String, byte[]> record(PipelineEvent event, String source) {
        var headers = new RecordHeaders();
        header(headers, CloudEventHeaders.SPEC_VERSION, CloudEventHeaders.SPEC_VERSION_VALUE);
        header(headers, CloudEventHeaders.ID, event.eventId());
        header(headers, CloudEventHeaders.SOURCE, source);
        header(headers, CloudEventHeaders.TYPE, CloudEventHeaders.type(event.getClass(), event.schemaVersion()));
        header(headers, CloudEventHeaders.TIME, event.occurredAt().toString());
        header(headers, CloudEventHeaders.SUBJECT, event.runId());
        header(headers, CloudEventHeaders.CONTENT_TYPE, CloudEventHeaders.JSON);
        return new ProducerRecord<>(Topics.topicOf(event.getClass()), null, event.runId(), Json.toBytes(event),
                headers);
    }

    /** Sends and waits for the broker's acknowledgement. */
    public static RecordMetadata publish(KafkaOptions kafka, PipelineEvent event)
            throws ExecutionException, InterruptedException, TimeoutException {
        try (var producer = new KafkaProducer<String, byte[]>(kafka.producer())) {
            return producer.send(record(event, SOURCE)).get(20, TimeUnit.SECONDS);
        }
    }

    private static void header(RecordHeaders headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}

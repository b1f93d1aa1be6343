package dev.orpo.testing;

import dev.orpo.contracts.CloudEventHeaders;
import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.PipelineEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Publishes to and reads from the real broker in tests, so a test reads like the event flow:
 *
 * <pre>{@code
 * try (TestTopics topics = TestTopics.forSharedStack()) {
 *     topics.publishEvent(TrainingRequested.of(runId, request));
 *     var failed = topics.awaitRecord(Topics.RUN_FAILED, r -> runId.equals(r.key()), Duration.ofSeconds(20));
 *     RunFailed event = TestTopics.value(failed, RunFailed.class);
 * }
 * }</pre>
 *
 * Reads scan each topic from the beginning without a consumer group, so they never steal records from a service.
 */
public final class TestTopics implements AutoCloseable {
    private final String bootstrap;
    private final KafkaProducer<String, byte[]> producer;

    public TestTopics(String bootstrap) {
        this.bootstrap = bootstrap;
        // records up to the broker's limit (16 MiB on the local stack), so tests can send oversized poison
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.MAX_BLOCK_MS_CONFIG, 20000,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 << 20), new StringSerializer(), new ByteArraySerializer());
    }

    /** Connected to {@link PipelineStackResource}'s shared stack. */
    public static TestTopics forSharedStack() {
        return new TestTopics(PipelineStackResource.endpoints().kafkaBootstrap());
    }

    /** Sends one record and waits for the broker's acknowledgement. */
    public RecordMetadata publish(String topic, String key, byte[] value, Map<String, String> headers) {
        var record = new ProducerRecord<>(topic, key, value);
        headers.forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        try {
            return producer.send(record).get(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted publishing to " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot publish to " + topic + " at " + bootstrap + ": " + e, e);
        }
    }

    /** Publishes an event as the pipeline does: JSON payload, run id key, CloudEvents binary headers. */
    public RecordMetadata publishEvent(PipelineEvent event) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(CloudEventHeaders.SPEC_VERSION, CloudEventHeaders.SPEC_VERSION_VALUE);
        headers.put(CloudEventHeaders.ID, event.eventId());
        headers.put(CloudEventHeaders.SOURCE, "/orpo/test");
        headers.put(CloudEventHeaders.TYPE, CloudEventHeaders.type(event.getClass(), event.schemaVersion()));
        headers.put(CloudEventHeaders.TIME, DateTimeFormatter.ISO_INSTANT.format(event.occurredAt()));
        headers.put(CloudEventHeaders.CONTENT_TYPE, CloudEventHeaders.JSON);
        return publish(Topics.topicOf(event.getClass()), event.runId(), Json.toBytes(event), headers);
    }

    /**
     * Waits until at least one record of {@code topic} matches, then returns every match seen so far.
     *
     * @throws org.awaitility.core.ConditionTimeoutException when none matches within {@code timeout}
     */
    public List<ConsumerRecord<String, byte[]>> awaitRecords(String topic,
                                                             Predicate<ConsumerRecord<String, byte[]>> match,
                                                             Duration timeout) {
        List<ConsumerRecord<String, byte[]>> matches = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = fromTheBeginning(topic)) {
            await("a record on " + topic).atMost(timeout).pollInSameThread().pollInterval(Duration.ofMillis(10))
                    .until(() -> {
                        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(250))) {
                            if (match.test(r)) {
                                matches.add(r);
                            }
                        }
                        return !matches.isEmpty();
                    });
        }
        return matches;
    }

    /**
     * Every matching record {@code topic} holds now (read up to the current end offsets, no waiting for more): to
     * assert that something was <em>not</em> published, or published exactly once.
     */
    public List<ConsumerRecord<String, byte[]>> recordsSoFar(String topic,
                                                             Predicate<ConsumerRecord<String, byte[]>> match) {
        List<ConsumerRecord<String, byte[]>> matches = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = fromTheBeginning(topic)) {
            Set<TopicPartition> partitions = consumer.assignment();
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(20));
            await("the end of " + topic).atMost(Duration.ofSeconds(30)).pollInSameThread()
                    .pollInterval(Duration.ofMillis(10)).until(() -> {
                        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(250))) {
                            if (match.test(r)) {
                                matches.add(r);
                            }
                        }
                        return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
                    });
        }
        return matches;
    }

    /** A consumer without a group, assigned every partition of {@code topic} at its first offset. */
    private KafkaConsumer<String, byte[]> fromTheBeginning(String topic) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(20)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    /** The first matching record of {@code topic}. */
    public ConsumerRecord<String, byte[]> awaitRecord(String topic, Predicate<ConsumerRecord<String, byte[]>> match,
                                                      Duration timeout) {
        return awaitRecords(topic, match, timeout).get(0);
    }

    /**
     * Publishes {@code garbage} on {@code topic} under {@code key} and asserts that the service forwarded it unchanged
     * to {@code deadLetterTopic}, with SmallRye's {@code dead-letter-topic} header and a {@code dead-letter-reason}
     * that mentions {@code reasonPart}.
     */
    public void assertDeadLettered(String topic, String key, byte[] garbage, String deadLetterTopic,
                                   String reasonPart, Duration timeout) {
        publish(topic, key, garbage, Map.of());
        var dead = awaitRecord(deadLetterTopic, r -> key.equals(r.key()), timeout);
        assertArrayEquals(garbage, dead.value());
        String reason = header(dead, "dead-letter-reason");
        assertTrue(reason != null && reason.contains(reasonPart), reason);
        assertEquals(topic, header(dead, "dead-letter-topic"));
    }

    /** A header's value as text, or null when absent. */
    public static String header(ConsumerRecord<?, ?> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** The record's JSON payload read as a contracts type. */
    public static <T> T value(ConsumerRecord<String, byte[]> record, Class<T> type) {
        return Json.fromBytes(record.value(), type);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}

package dev.orpo.reliability;

import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.PipelineEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;


/**
 * Every record of every pipeline topic (events and dead letters), read from the beginning by one background consumer
 * without a consumer group, as it arrives: what the suite asserts on. The consumer rides out broker restarts.
 */
final class EventLog implements AutoCloseable {
    /** One record as seen: where it was, when it was read, its bytes and headers. */
    record Seen(String topic, int partition, long offset, String key, byte[] value, Map<String, String> headers,
                Instant readAt) {
        /** The payload as the event its topic carries. */
        PipelineEvent event() {
            return Topics.readEvent(topic, value);
        }

        String header(String name) {
            return headers.get(name);
        }

        String text() {
            return value == null ? "" : new String(value, StandardCharsets.UTF_8);
        }
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread reader;
    private final List<Seen> seen = new ArrayList<>();
    private volatile boolean closed;

    EventLog(String bootstrap) {
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 32 << 20,
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 << 20), new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : Topics.all()) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        reader = new Thread(this::read, "reliability-event-log");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try {
            while (!closed) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Map<String, String> headers = new java.util.LinkedHashMap<>();
                    for (Header h : r.headers()) {
                        headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
                    }
                    synchronized (seen) {
                        seen.add(new Seen(r.topic(), r.partition(), r.offset(), r.key(), r.value(), headers,
                                Instant.now()));
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Every record so far that matches. */
    List<Seen> all(Predicate<Seen> match) {
        synchronized (seen) {
            return seen.stream().filter(match).toList();
        }
    }

    /** The run's events of one type so far, in topic order. */
    <T extends PipelineEvent> List<T> events(String runId, Class<T> type) {
        String topic = Topics.topicOf(type);
        return all(s -> s.topic().equals(topic) && runId.equals(s.key())).stream().map(s -> type.cast(s.event()))
                .toList();
    }

    /** The records of the run's events of one type, with when they were read. */
    List<Seen> records(String runId, Class<? extends PipelineEvent> type) {
        String topic = Topics.topicOf(type);
        return all(s -> s.topic().equals(topic) && runId.equals(s.key()));
    }

    /** Waits until an event of the run matches and returns the first match. */
    <T extends PipelineEvent> T await(String runId, Class<T> type, Predicate<T> match, Duration timeout) {
        return org.awaitility.Awaitility.await("a " + type.getSimpleName() + " of " + runId).atMost(timeout).pollInterval(Duration.ofMillis(100))
                .until(() -> events(runId, type).stream().filter(match).findFirst(), java.util.Optional::isPresent)
                .orElseThrow();
    }

    /** Waits until a record matches and returns the first match. */
    Seen awaitRecord(String what, Predicate<Seen> match, Duration timeout) {
        return org.awaitility.Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(100))
                .until(() -> all(match).stream().findFirst(), java.util.Optional::isPresent).orElseThrow();
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            reader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

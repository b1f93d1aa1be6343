package dev.orpo.deploy.local;

import dev.orpo.contracts.Topics;
import dev.orpo.store.ObjectStore;
import dev.orpo.store.ObjectStoreConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalStackTest {
    @TempDir
    Path dir;
    private LocalStack stack;

    @AfterEach
    void stop() {
        if (stack != null) {
            stack.down();
        }
    }

    @Test
    void upServesRealKafkaAndS3AndKeepsDataAcrossRestart() throws Exception {
        stack = LocalStack.ephemeral(dir);
        StackEndpoints e = stack.up(Duration.ofSeconds(60));
        StackStatus first = stack.status();
        assertTrue(first.running(), first.toString());

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", e.kafkaBootstrap()))) {
            var topics = admin.describeTopics(Topics.all()).allTopicNames().get(10, TimeUnit.SECONDS);
            assertEquals(Topics.all().size(), topics.size());
            topics.values().forEach(t -> assertEquals(LocalStack.PARTITIONS, t.partitions().size(), t.name()));
        }
        String runId = "run-" + UUID.randomUUID();
        try (var producer = new KafkaProducer<String, String>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, e.kafkaBootstrap()), new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.TRAINING_REQUESTED, runId, "{\"run_id\":\"" + runId + "\"}"))
                    .get(10, TimeUnit.SECONDS);
        }
        assertEquals(Optional.of("{\"run_id\":\"" + runId + "\"}"), firstValueFor(e, runId));

        ObjectStore store = new ObjectStore(ObjectStoreConfig.of(e.s3Endpoint(), e.accessKey(), e.secretKey()));
        byte[] payload = "hello object store".getBytes(StandardCharsets.UTF_8);
        store.putBytes("runs/" + runId + "/request.json", payload);
        assertArrayEquals(payload, store.getBytes("runs/" + runId + "/request.json"));

        // idempotent: a second up reuses the running servers
        assertEquals(e, stack.up(Duration.ofSeconds(30)));
        assertEquals(first.kafka().pid(), stack.status().kafka().pid());
        assertEquals(first.s3().pid(), stack.status().s3().pid());

        stack.down();
        StackStatus stopped = stack.status();
        assertFalse(stopped.kafka().running() || stopped.s3().running(), stopped.toString());
        assertTrue(ProcessHandle.of(first.kafka().pid()).map(p -> !p.isAlive()).orElse(true));

        // a fresh launcher on the same dir (as a later cli call would be) finds the same ports and the old data
        stack = LocalStack.ephemeral(dir);
        assertEquals(e, stack.up(Duration.ofSeconds(60)));
        assertArrayEquals(payload, store.getBytes("runs/" + runId + "/request.json"));
        assertEquals(Optional.of("{\"run_id\":\"" + runId + "\"}"), firstValueFor(e, runId));
    }

    /** Reads the topic from the start with a fresh group until the record keyed {@code runId} shows up. */
    private static Optional<String> firstValueFor(StackEndpoints e, String runId) {
        try (var consumer = new KafkaConsumer<String, String>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, e.kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(Topics.TRAINING_REQUESTED));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (runId.equals(r.key())) {
                        return Optional.of(r.value());
                    }
                }
            }
            return Optional.empty();
        }
    }
}

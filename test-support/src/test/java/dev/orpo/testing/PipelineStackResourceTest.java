package dev.orpo.testing;

import dev.orpo.contracts.CloudEventHeaders;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.RunCancelled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PipelineStackResourceTest {
    @Test
    void startHandsQuarkusTheSharedStacksKafkaAndS3Settings() {
        Map<String, String> config = new PipelineStackResource().start();
        assertEquals(PipelineStackResource.endpoints().kafkaBootstrap(), config.get("kafka.bootstrap.servers"));
        assertEquals(config.get("kafka.bootstrap.servers"),
                config.get("mp.messaging.connector.smallrye-kafka.bootstrap.servers"));
        assertTrue(config.get("orpo.s3.endpoint").startsWith("http://"), config.toString());
        assertEquals("orpo", config.get("orpo.s3.bucket"));
        assertSame(PipelineStackResource.endpoints(), PipelineStackResource.endpoints(), "one stack per JVM");
    }

    @Test
    void publishedEventIsReadBackWithKeyAndCloudEventHeaders() {
        String runId = "run-" + UUID.randomUUID().toString().substring(0, 8);
        try (TestTopics topics = TestTopics.forSharedStack()) {
            topics.publishEvent(RunCancelled.of(runId, "test"));
            var record = topics.awaitRecord(Topics.RUN_CANCELLED, r -> runId.equals(r.key()), Duration.ofSeconds(20));
            assertEquals("dev.orpo.RunCancelled.v1", TestTopics.header(record, CloudEventHeaders.TYPE));
            assertEquals(runId, TestTopics.value(record, RunCancelled.class).runId());
            assertTrue(new String(record.value(), StandardCharsets.UTF_8).contains("\"run_id\""), "snake_case JSON");
        }
    }

    @Test
    void objectStoreWritesToTheSharedBucket() {
        var store = PipelineStackResource.objectStore();
        String key = "test-support/" + UUID.randomUUID() + ".txt";
        store.putBytes(key, "x".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals("x".getBytes(StandardCharsets.UTF_8), store.getBytes(key));
    }
}

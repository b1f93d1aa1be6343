package dev.orpo.testing;

import dev.orpo.contracts.RunIds;
import dev.orpo.store.ObjectStore;
import org.eclipse.microprofile.config.ConfigProvider;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checks every service's test makes of its wiring: channel → topic mapping, object store, health. */
public final class ServiceChecks {
    private ServiceChecks() {
    }

    /** The incoming channel reads {@code topic} and dead-letters malformed records to {@code deadLetterTopic}. */
    public static void assertIncoming(String channel, String topic, String deadLetterTopic) {
        var config = ConfigProvider.getConfig();
        assertEquals(topic, config.getValue("mp.messaging.incoming." + channel + ".topic", String.class), channel);
        assertEquals(deadLetterTopic, config.getValue("mp.messaging.incoming." + channel
                + ".dead-letter-queue.topic", String.class), channel + " dead-letter topic");
    }

    /** The outgoing channel writes to {@code topic}. */
    public static void assertOutgoing(String channel, String topic) {
        assertEquals(topic, ConfigProvider.getConfig().getValue("mp.messaging.outgoing." + channel + ".topic",
                String.class), channel);
    }

    /** The service's ObjectStore bean points at the shared stack's S3 server and round-trips an object there. */
    public static void assertUsesTheStacksObjectStore(ObjectStore store) {
        assertEquals(PipelineStackResource.endpoints().s3Endpoint(), store.config().endpoint());
        String key = "tests/" + RunIds.newRunId() + "/probe.txt";
        store.putBytes(key, "probe".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals("probe".getBytes(StandardCharsets.UTF_8), store.getBytes(key));
    }

    /**
     * The service records the event under {@code GET /consumed/<runId>} (channel, outcome, event id) within
     * {@code wait}, and counted it in {@code orpo_events_consumed_total{channel,outcome}}.
     */
    public static void assertConsumed(URI base, String runId, String channel, String outcome, String eventId,
                                      Duration wait) {
        String expected = "\"channel\":\"" + channel + "\"";
        String[] seen = {""};
        try {
            await().atMost(wait).until(() -> {
                seen[0] = ServiceHttp.get(base, "/consumed/" + runId).body();
                return seen[0].contains(expected) && seen[0].contains("\"outcome\":\"" + outcome + "\"")
                        && seen[0].contains(eventId);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("/consumed/" + runId + " never said " + outcome + " for " + eventId + " on "
                    + channel + "; last: " + seen[0], e);
        }
        assertTrue(ServiceHttp.consumed(base, channel, outcome) >= 1, "orpo_events_consumed_total for " + channel);
    }

    /** {@code /q/health/ready} turns 200 within {@code wait} (Kafka connected); {@code /q/health/live} is 200. */
    public static void assertReadyAndLive(URI base, Duration wait) {
        await().atMost(wait).until(() -> ServiceHttp.get(base, "/q/health/ready").statusCode() == 200);
        assertEquals(200, ServiceHttp.get(base, "/q/health/live").statusCode());
    }
}

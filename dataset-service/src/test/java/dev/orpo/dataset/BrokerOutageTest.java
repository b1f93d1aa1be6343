package dev.orpo.dataset;

import dev.orpo.contracts.CloudEventHeaders;
import dev.orpo.contracts.RunIds;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.Envelope;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.service.EventPublisher;
import dev.orpo.testing.IsolatedStackResource;
import dev.orpo.testing.TestTopics;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker dies (kill -9) while the service publishes a state event: the publish waits and retries (past the
 * producer's own delivery timeout, so the service sends again), and once the broker is back the event is on the topic
 * exactly once. A progress event meanwhile neither blocks for long nor fails. On a stack of its own, so the shared
 * one stays up for the other tests.
 */
@QuarkusTest
@TestProfile(BrokerOutageTest.OwnStack.class)
class BrokerOutageTest {
    /** Longer than the producer's delivery timeout below: the first send is given up and the service sends again. */
    private static final Duration OUTAGE = Duration.ofSeconds(15);

    /** A stack of its own; the run-failed producer gives a record up after 8 s instead of 120 s. */
    public static class OwnStack implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(IsolatedStackResource.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mp.messaging.outgoing.run-failed.delivery.timeout.ms", "8000",
                    "mp.messaging.outgoing.run-failed.request.timeout.ms", "3000",
                    "mp.messaging.outgoing.run-failed.linger.ms", "0");
        }
    }

    @Inject
    EventPublisher publisher;

    @Inject
    @Channel("run-failed")
    Emitter<byte[]> runFailed;

    @Test
    void aStateEventPublishedWhileTheBrokerIsDownIsOnTheTopicOnceItIsBack() throws Exception {
        String runId = RunIds.newRunId();
        publisher.state(runFailed, failure(runId, "before")); // the producer is connected and knows the topic
        RunFailed event = failure(runId, "during the outage");

        IsolatedStackResource.stack().stopKafka(true);
        CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> publisher.state(runFailed, event));
        await().during(OUTAGE).atMost(OUTAGE.plusSeconds(10)).until(() -> !publishing.isDone());
        long start = System.nanoTime();
        publisher.bestEffort(runFailed, failure(runId, "progress is best effort")); // returns, does not throw
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(), "best effort blocked");
        IsolatedStackResource.restartKafka(Duration.ofSeconds(120));
        publishing.get(3, TimeUnit.MINUTES);

        try (TestTopics topics = new TestTopics(IsolatedStackResource.stack().endpoints().kafkaBootstrap())) {
            var copies = topics.recordsSoFar(Topics.RUN_FAILED, r -> runId.equals(r.key())
                    && event.eventId().equals(TestTopics.header(r, CloudEventHeaders.ID)));
            assertEquals(1, copies.size(), "written exactly once");
            assertEquals(event, TestTopics.value(copies.get(0), RunFailed.class));
        }
    }

    private static RunFailed failure(String runId, String what) {
        return RunFailed.of(Envelope.once(runId, null, RunFailed.class, what), "dataset", what, List.of());
    }
}

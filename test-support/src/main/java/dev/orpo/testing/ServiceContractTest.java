package dev.orpo.testing;

import dev.orpo.contracts.RunIds;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.store.ObjectStore;
import io.quarkus.test.common.http.TestHTTPResource;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every stage service keeps, one test class for all of them: each service's test extends it (with
 * {@code @QuarkusTest @WithTestResource(PipelineStackResource.class)}) and names its channels in {@link #contract()}.
 *
 * <ul>
 *   <li>each incoming channel reads its contract topic and dead-letters to its own DLQ; each outgoing channel writes its
 *       topic;</li>
 *   <li>poison on each incoming channel (empty, truncated, not JSON, wrong types, schema version 0 or missing, missing
 *       or unsafe run id, missing event id, 10 MiB) lands in that channel's DLQ byte for byte with a
 *       {@code dead-letter-reason} saying why, and the valid event queued behind it is still processed and counted;</li>
 *   <li>the service's object store is the stack's, and it is ready once connected to Kafka.</li>
 * </ul>
 */
public abstract class ServiceContractTest extends SharedStackTest {
    /** Generous: the first records of a channel wait for its consumer group to settle. */
    protected static final Duration WAIT = Duration.ofSeconds(60);

    @TestHTTPResource("/")
    protected URI base;

    @Inject
    protected ObjectStore store;

    /** This service's channels. */
    protected abstract ServiceContract contract();

    @TestFactory
    Stream<DynamicTest> channelsAreMappedToTheContractTopics() {
        Stream<DynamicTest> in = contract().incoming().stream().map(c -> DynamicTest.dynamicTest(
                "in " + c.channel() + " <- " + c.topic(),
                () -> ServiceChecks.assertIncoming(c.channel(), c.topic(), c.deadLetterTopic())));
        Stream<DynamicTest> out = contract().outgoing().stream().map(c -> DynamicTest.dynamicTest(
                "out " + c.channel() + " -> " + c.topic(), () -> ServiceChecks.assertOutgoing(c.channel(), c.topic())));
        return Stream.concat(in, out);
    }

    @TestFactory
    Stream<DynamicTest> poisonLandsInTheChannelsDeadLetterTopicAndTheNextValidEventIsProcessed() {
        return contract().incoming().stream().map(c -> DynamicTest.dynamicTest(c.channel(), () -> {
            String runId = RunIds.newRunId();
            PipelineEvent valid = c.harmless().apply(runId);
            List<PoisonRecords.Poison> poison = PoisonRecords.from(valid);
            // same key = same partition: the valid event is queued behind every poison record
            for (PoisonRecords.Poison p : poison) {
                topics.publish(c.topic(), runId, p.payload(), Map.of());
            }
            topics.publishEvent(valid);

            ServiceChecks.assertConsumed(base, runId, c.channel(), c.harmlessOutcome(), valid.eventId(), WAIT);
            List<ConsumerRecord<String, byte[]>> dead = await().atMost(WAIT).until(() -> topics.recordsSoFar(
                    c.deadLetterTopic(), r -> runId.equals(r.key())), l -> l.size() >= poison.size());
            assertEquals(poison.size(), dead.size(), "one DLQ record per poison record");
            for (PoisonRecords.Poison p : poison) {
                ConsumerRecord<String, byte[]> d = dead.stream().filter(r -> Arrays.equals(p.payload(), r.value()))
                        .findFirst().orElseThrow(() -> new AssertionError(p.name() + ": not forwarded byte for byte"));
                String reason = TestTopics.header(d, "dead-letter-reason");
                assertTrue(reason != null && reason.contains(p.reasonPart()), p.name() + ": reason " + reason);
                assertEquals(c.topic(), TestTopics.header(d, "dead-letter-topic"), p.name());
            }
            assertTrue(ServiceHttp.consumed(base, c.channel(), "dead-lettered") >= poison.size(),
                    "orpo_events_consumed_total{outcome=dead-lettered} for " + c.channel());
        }));
    }

    @Test
    void objectStoreBeanUsesTheStacksBucket() {
        ServiceChecks.assertUsesTheStacksObjectStore(store);
    }

    @Test
    void readyOnceConnectedToKafka() {
        ServiceChecks.assertReadyAndLive(base, WAIT);
    }
}

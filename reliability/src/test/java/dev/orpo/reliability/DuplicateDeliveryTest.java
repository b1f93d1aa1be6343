package dev.orpo.reliability;

import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.EvaluationCompleted;
import dev.orpo.contracts.events.RunFailed;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every event a service consumes is delivered again for a finished run (as a consumer that crashed before committing,
 * or a rebalance, delivers it): once every consumer group has read the copies, the run has exactly the state events it
 * had, no {@code RunFailed}, and nothing was trained, merged or evaluated again.
 */
@ExtendWith(SharedPipeline.class)
@Order(40)
class DuplicateDeliveryTest {
    private static final Duration RUN = Duration.ofMinutes(10);
    /** The topics the four services consume. */
    private static final List<String> CONSUMED = List.of(Topics.TRAINING_REQUESTED, Topics.DATASET_PREPARED,
            Topics.CHECKPOINT_SAVED, Topics.TRAINING_COMPLETED, Topics.MODEL_MERGED);

    private final Pipeline pipeline;
    private final FaultReport report;
    private final Runs runs;

    DuplicateDeliveryTest(Pipeline pipeline, FaultReport report) {
        this.pipeline = pipeline;
        this.report = report;
        this.runs = new Runs(pipeline);
    }

    @Test
    void everyConsumedEventDeliveredAgainChangesNothing() {
        String runId = finishedRun();
        Map<String, Long> before = stateEventCounts(runId);
        List<EventLog.Seen> copies = pipeline.log().all(s -> runId.equals(s.key()) && CONSUMED.contains(s.topic()));
        Instant sent = Instant.now();
        copies.forEach(s -> pipeline.topics().publish(s.topic(), s.key(), s.value(), s.headers()));
        awaitConsumersCaughtUp();
        Instant read = Instant.now();

        // the topics now hold the run's records and the copies, and nothing a consumer published for a copy
        Map<String, Long> expected = new HashMap<>(before);
        copies.forEach(s -> expected.merge(s.topic(), 1L, Long::sum));
        await("no new state event for " + runId).during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertEquals(expected, stateEventCounts(runId), "records per topic"));
        assertTrue(pipeline.log().events(runId, RunFailed.class).isEmpty());
        report.add(new FaultReport.Row("duplicate delivery, every consumed topic", copies.size()
                + " records of a finished run sent again", TrainerCrashTest.seconds(sent, read), 0, 0, 0,
                "recovery = until every consumer group has read the copies; no stage ran again and no event was"
                + " published for a copy"));
    }

    /** A run the suite already finished, or a short one of its own. */
    private String finishedRun() {
        return pipeline.log().all(s -> s.topic().equals(Topics.EVALUATION_COMPLETED)).stream()
                .filter(s -> s.event() instanceof EvaluationCompleted e && "merged".equals(e.target()))
                .map(EventLog.Seen::key)
                .filter(id -> pipeline.log().events(id, RunFailed.class).isEmpty()
                        && runs.duplicateStateEvents(id).isEmpty())
                .reduce((first, last) -> last)
                .orElseGet(() -> {
                    String id = pipeline.submit(pipeline.request("training: {max_steps: 10}"));
                    runs.awaitDone(id, RUN);
                    return id;
                });
    }

    private Map<String, Long> stateEventCounts(String runId) {
        Map<String, Long> counts = new HashMap<>();
        pipeline.log().all(s -> runId.equals(s.key()) && !s.topic().equals(Topics.TRAINING_PROGRESSED))
                .forEach(s -> counts.merge(s.topic(), 1L, Long::sum));
        return counts;
    }

    /** Waits until every consumer group's committed offsets reach the end of the consumed topics. */
    private void awaitConsumersCaughtUp() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                pipeline.endpoints().kafkaBootstrap()))) {
            await("every consumer group has read the copies").atMost(RUN).pollInterval(Duration.ofMillis(500))
                    .until(() -> lag(admin) == 0);
        }
    }

    private static long lag(Admin admin) throws ExecutionException, InterruptedException {
        Map<TopicPartition, Long> ends = new HashMap<>();
        for (var d : admin.describeTopics(CONSUMED).allTopicNames().get().values()) {
            d.partitions().forEach(p -> ends.put(new TopicPartition(d.name(), p.partition()), -1L));
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        ends.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
        long lag = 0;
        for (ConsumerGroupListing g : admin.listConsumerGroups().all().get()) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(g.groupId())
                    .partitionsToOffsetAndMetadata().get();
            for (var e : committed.entrySet()) {
                Long end = ends.get(e.getKey());
                if (end != null && e.getValue() != null) {
                    lag += Math.max(0, end - e.getValue().offset());
                }
            }
        }
        return lag;
    }
}

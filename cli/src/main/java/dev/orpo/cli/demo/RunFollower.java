package dev.orpo.cli.demo;

import dev.orpo.cli.KafkaOptions;
import dev.orpo.cli.StageBoard;
import dev.orpo.cli.WatchEnd;
import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.EvaluationCompleted;
import dev.orpo.contracts.events.ModelMerged;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.events.RunFailed;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Follows one run on every event topic, from offsets taken before it was submitted, until {@link WatchEnd} says it
 * is over, it failed, a service died or the deadline passed.
 */
final class RunFollower implements AutoCloseable {
    /** How the run ended: the final evaluation and merge (on success) or why not. */
    record Outcome(boolean finished, String failure, EvaluationCompleted finalEval, ModelMerged finalMerge) {
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<TopicPartition> partitions = new ArrayList<>();

    /** Subscribes and pins the current end of every partition, so only events after this call are seen. */
    RunFollower(KafkaOptions kafka) {
        consumer = new KafkaConsumer<>(kafka.consumer());
        Map<String, List<org.apache.kafka.common.PartitionInfo>> existing = consumer.listTopics();
        for (String topic : Topics.eventTopics()) {
            List<org.apache.kafka.common.PartitionInfo> infos = existing.get(topic);
            if (infos == null) {
                throw new IllegalStateException("topic " + topic + " does not exist on " + kafka.bootstrap());
            }
            infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve now: later records are this run's
    }

    /**
     * @param stallNanos fail when the run shows no event for this long (names the service expected to act next)
     */
    Outcome follow(String runId, StageBoard board, long deadlineNanos, long stallNanos,
                   Supplier<String> deadService) {
        WatchEnd end = new WatchEnd(runId, null);
        EvaluationCompleted finalEval = null;
        ModelMerged lastMerge = null;
        String last = "TrainingRequested";
        long lastEventAt = System.nanoTime();
        while (System.nanoTime() < deadlineNanos) {
            List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>();
            consumer.poll(Duration.ofMillis(500)).forEach(batch::add);
            batch.sort(Comparator.comparingLong(ConsumerRecord::timestamp));
            for (ConsumerRecord<String, byte[]> record : batch) {
                if (!runId.equals(record.key())) {
                    continue;
                }
                PipelineEvent event = Topics.readEvent(record.topic(), record.value());
                board.on(event);
                last = event.getClass().getSimpleName();
                lastEventAt = System.nanoTime();
                if (event instanceof ModelMerged m) {
                    lastMerge = m;
                }
                if (event instanceof EvaluationCompleted e && "merged".equals(e.target())) {
                    finalEval = e;
                }
                var code = end.exitCode(event);
                if (code.isPresent()) {
                    if (event instanceof RunFailed f) {
                        return new Outcome(false, "the run failed in " + f.stage() + ": " + f.reason()
                                + (f.errors() == null || f.errors().isEmpty() ? "" : " " + f.errors()), null, null);
                    }
                    return new Outcome(true, null, finalEval, lastMerge);
                }
            }
            String dead = deadService.get();
            if (dead != null) {
                return new Outcome(false, "service died: " + dead, null, null);
            }
            if (System.nanoTime() - lastEventAt > stallNanos) {
                return new Outcome(false, "no event for " + stallNanos / 1_000_000_000L + " s after " + last
                        + ": " + nextActor(last) + " did not act (see its log)", null, null);
            }
        }
        return new Outcome(false, "deadline passed before the run finished", null, null);
    }

    /** Which service should publish the run's next event after {@code lastEvent}. */
    static String nextActor(String lastEvent) {
        return switch (lastEvent) {
            case "TrainingRequested" -> "dataset-service";
            case "DatasetPrepared", "TrainingStarted", "TrainingProgressed" -> "trainer-service";
            case "CheckpointSaved" -> "trainer-service or eval-service";
            case "TrainingCompleted" -> "merger-service";
            case "ModelMerged" -> "eval-service";
            default -> "merger-service or eval-service";
        };
    }

    @Override
    public void close() {
        consumer.close();
    }
}

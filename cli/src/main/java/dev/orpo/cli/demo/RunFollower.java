package dev.orpo.cli.demo;

import dev.orpo.cli.KafkaOptions;
import dev.orpo.cli.WatchEnd;
import dev.orpo.contracts.Json;
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

    Outcome follow(String runId, StageBoard board, long deadlineNanos, Supplier<String> deadService) {
        WatchEnd end = new WatchEnd(runId, null);
        EvaluationCompleted finalEval = null;
        ModelMerged lastMerge = null;
        while (System.nanoTime() < deadlineNanos) {
            List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>();
            consumer.poll(Duration.ofMillis(500)).forEach(batch::add);
            batch.sort(Comparator.comparingLong(ConsumerRecord::timestamp));
            for (ConsumerRecord<String, byte[]> record : batch) {
                if (!runId.equals(record.key())) {
                    continue;
                }
                PipelineEvent event = Json.readEvent(record.topic(), record.value());
                board.on(event);
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
        }
        return new Outcome(false, "deadline passed before the run finished", null, null);
    }

    @Override
    public void close() {
        consumer.close();
    }
}

package dev.orpo.cli;

import dev.orpo.contracts.Topics;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** Lists every pipeline topic with its partitions and message count (end minus beginning offsets). */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "List every pipeline topic with its message count (end - beginning offsets).")
public final class TopicsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        try (var consumer = new KafkaConsumer<String, byte[]>(kafka.consumer())) {
            Map<String, List<PartitionInfo>> existing = consumer.listTopics();
            var partitions = new ArrayList<TopicPartition>();
            for (String topic : Topics.all()) {
                for (PartitionInfo p : existing.getOrDefault(topic, List.of())) {
                    partitions.add(new TopicPartition(p.topic(), p.partition()));
                }
            }
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            int width = Topics.all().stream().mapToInt(String::length).max().orElse(10);
            out.printf("%-" + width + "s  %10s  %8s%n", "TOPIC", "PARTITIONS", "MESSAGES");
            int missing = 0;
            for (String topic : Topics.all()) {
                List<PartitionInfo> infos = existing.get(topic);
                if (infos == null) {
                    out.printf("%-" + width + "s  %10s  %8s%n", topic, "-", "missing");
                    missing++;
                    continue;
                }
                long count = 0;
                for (PartitionInfo p : infos) {
                    var tp = new TopicPartition(p.topic(), p.partition());
                    count += end.get(tp) - begin.get(tp);
                }
                out.printf("%-" + width + "s  %10d  %8d%n", topic, infos.size(), count);
            }
            if (missing > 0) {
                spec.commandLine().getErr().println(missing + " topic(s) missing on " + kafka.bootstrap()
                        + " (./orpo local up creates them)");
            }
            return ExitCodes.OK;
        } catch (org.apache.kafka.common.KafkaException e) {
            spec.commandLine().getErr().println("cannot reach Kafka at " + kafka.bootstrap() + ": "
                    + SubmitCommand.rootMessage(e));
            return ExitCodes.UNAVAILABLE;
        }
    }
}

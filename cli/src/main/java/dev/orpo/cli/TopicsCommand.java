package dev.orpo.cli;

import dev.orpo.contracts.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

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
        var err = spec.commandLine().getErr();
        Properties props = kafka.common();
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(15, TimeUnit.SECONDS);
            var present = Topics.all().stream().filter(existing::contains).toList();
            Map<String, TopicDescription> described = admin.describeTopics(present).allTopicNames()
                    .get(15, TimeUnit.SECONDS);
            var partitions = described.values().stream()
                    .flatMap(d -> d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
                    .toList();
            Map<TopicPartition, Long> begin = offsets(admin, partitions, OffsetSpec.earliest());
            Map<TopicPartition, Long> end = offsets(admin, partitions, OffsetSpec.latest());
            int width = Topics.all().stream().mapToInt(String::length).max().orElse(10);
            String row = "%-" + width + "s  %10s  %8s%n";
            out.printf(row, "TOPIC", "PARTITIONS", "MESSAGES");
            int missing = 0;
            for (String topic : Topics.all()) {
                TopicDescription d = described.get(topic);
                if (d == null) {
                    out.printf(row, topic, "-", "missing");
                    missing++;
                    continue;
                }
                long count = partitions.stream().filter(tp -> tp.topic().equals(topic))
                        .mapToLong(tp -> end.get(tp) - begin.get(tp)).sum();
                out.printf(row, topic, d.partitions().size(), count);
            }
            if (missing > 0) {
                err.println(missing + " topic(s) missing on " + kafka.bootstrap() + " (./orpo local up creates them)");
            }
            return ExitCodes.OK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.UNAVAILABLE;
        } catch (Exception e) {
            err.println("cannot reach Kafka at " + kafka.bootstrap() + ": " + SubmitCommand.rootMessage(e)
                    + " (is the stack up? ./orpo local up)");
            return ExitCodes.UNAVAILABLE;
        }
    }

    private static Map<TopicPartition, Long> offsets(Admin admin, java.util.List<TopicPartition> partitions,
                                                     OffsetSpec spec) throws Exception {
        if (partitions.isEmpty()) {
            return new HashMap<>();
        }
        Map<TopicPartition, OffsetSpec> request = partitions.stream()
                .collect(Collectors.toMap(Function.identity(), p -> spec));
        Map<TopicPartition, ListOffsetsResultInfo> result = admin.listOffsets(request).all().get(15, TimeUnit.SECONDS);
        return result.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }
}

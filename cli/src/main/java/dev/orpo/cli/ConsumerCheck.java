package dev.orpo.cli;

import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.DatasetPrepared;
import dev.orpo.contracts.events.ModelMerged;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.events.TrainingCompleted;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * For {@code orpo watch RUN_ID}: which topic the run waits on, and whether the service that should act next is
 * consuming it (Kafka's AdminClient: an active member of its consumer group holds a partition of the topic). The
 * dashboard's groups read every topic too, so only the stage's own group counts.
 */
final class ConsumerCheck implements AutoCloseable {
    /** The consumer group (its service's name, as in each service's application.properties) of each stage input. */
    static final Map<String, String> GROUPS = Map.of(
            Topics.TRAINING_REQUESTED, "dataset-service",
            Topics.DATASET_PREPARED, "trainer-service",
            Topics.TRAINING_COMPLETED, "merger-service",
            Topics.MODEL_MERGED, "eval-service");

    private final Admin admin;

    ConsumerCheck(KafkaOptions kafka) {
        Properties p = kafka.common();
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "orpo-cli-watch");
        admin = Admin.create(p);
    }

    /** Follows a run's events and names the topic it waits on next. */
    static final class Waiting {
        private String topic = Topics.TRAINING_REQUESTED;

        void on(PipelineEvent event) {
            if (event instanceof ModelMerged) {
                topic = Topics.MODEL_MERGED;
            } else if (event instanceof TrainingCompleted && !topic.equals(Topics.MODEL_MERGED)) {
                topic = Topics.TRAINING_COMPLETED;
            } else if (event instanceof DatasetPrepared && topic.equals(Topics.TRAINING_REQUESTED)) {
                topic = Topics.DATASET_PREPARED;
            }
        }

        String topic() {
            return topic;
        }
    }

    /**
     * A plain sentence when no member of the topic's group is assigned a partition of it; empty when one is, or when
     * the broker does not answer (watch itself reports an unreachable broker).
     */
    Optional<String> missingConsumer(String topic) {
        String group = GROUPS.get(topic);
        boolean consuming;
        try {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                    .get(10, TimeUnit.SECONDS);
            consuming = d.members().stream().anyMatch(m -> m.assignment().topicPartitions().stream()
                    .anyMatch(tp -> tp.topic().equals(topic)));
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                return Optional.empty();
            }
            consuming = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
        return consuming ? Optional.empty() : Optional.of("no consumer group reads " + topic + ": is " + group
                + " running? `./orpo local up` starts it (still watching)");
    }

    @Override
    public void close() {
        admin.close(java.time.Duration.ofSeconds(2));
    }
}

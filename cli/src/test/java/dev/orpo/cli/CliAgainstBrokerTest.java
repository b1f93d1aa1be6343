package dev.orpo.cli;

import dev.orpo.contracts.CloudEventHeaders;
import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.events.RunCancelled;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.contracts.events.TrainingRequested;
import dev.orpo.contracts.events.TrainingStarted;
import dev.orpo.deploy.local.LocalStack;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI against a real broker: a throwaway local stack on free ports. */
class CliAgainstBrokerTest {
    @TempDir
    static Path dir;
    static LocalStack stack;
    static String bootstrap;

    @BeforeAll
    static void up() {
        stack = LocalStack.ephemeral(dir.resolve("stack"));
        bootstrap = stack.up(Duration.ofSeconds(90)).kafkaBootstrap();
    }

    @AfterAll
    static void down() {
        if (stack != null) {
            stack.down();
        }
    }

    @Test
    void submitPublishesTrainingRequestedKeyedByRunIdWithCloudEventHeaders() {
        CliRun run = CliRun.run("submit", "../examples/llama3-orpo.yaml", "--run-id", "run-submit-1",
                "--bootstrap", bootstrap);

        assertEquals(0, run.exitCode(), run.err());
        assertEquals("run-submit-1", run.out().strip());
        ConsumerRecord<String, byte[]> record = readAll(Topics.TRAINING_REQUESTED).stream()
                .filter(r -> "run-submit-1".equals(r.key())).findFirst().orElseThrow();
        var event = (TrainingRequested) Topics.readEvent(record.topic(), record.value());
        assertEquals("run-submit-1", event.runId());
        assertEquals("meta-llama/Meta-Llama-3-8B", event.request().model().nameOrPath());
        assertEquals("1.0", header(record, CloudEventHeaders.SPEC_VERSION));
        assertEquals("dev.orpo.TrainingRequested.v1", header(record, CloudEventHeaders.TYPE));
        assertEquals(event.eventId(), header(record, CloudEventHeaders.ID));
        assertEquals(EventPublisher.SOURCE, header(record, CloudEventHeaders.SOURCE));
        assertEquals("run-submit-1", header(record, CloudEventHeaders.SUBJECT));
        assertEquals(event.occurredAt(), Instant.parse(header(record, CloudEventHeaders.TIME)));
        assertEquals("application/json", header(record, CloudEventHeaders.CONTENT_TYPE));
    }

    @Test
    void invalidRequestPrintsItsThreeErrorsAndPublishesNothing() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                model: {name_or_path: m}
                dataset: {uri: "ftp://example.org/pairs.jsonl"}
                lora: {r: 0}
                training: {learning_rat: 1.0e-5}
                """);
        long before = messages(Topics.TRAINING_REQUESTED);

        CliRun run = CliRun.run("submit", bad.toString(), "--bootstrap", bootstrap);

        assertEquals(ExitCodes.BAD_INPUT, run.exitCode());
        assertEquals(4, run.err().lines().count(), run.err());
        assertTrue(run.err().contains("lora.r: must be > 0"), run.err());
        assertTrue(run.err().contains("training.learning_rat: unknown field"), run.err());
        assertTrue(run.err().contains("dataset.uri: scheme ftp not allowed"), run.err());
        assertEquals(before, messages(Topics.TRAINING_REQUESTED));
    }

    @Test
    void watchPrintsALinePerEventAndExitsOneOnRunFailed() throws Exception {
        String runId = "run-watch-1";
        CliRun watch = new CliRun();
        var done = CompletableFuture.runAsync(() ->
                watch.execute("watch", runId, "--text", "--timeout", "60", "--bootstrap", bootstrap));

        var kafka = new KafkaOptions(bootstrap);
        EventPublisher.publish(kafka, new TrainingStarted(PipelineEvent.newEventId(), runId, 1, Instant.now(), null,
                124, 0, "cpu()", 1000, 8000));
        EventPublisher.publish(kafka, RunFailed.of("run-other-1", null, "training", "not mine", null));
        await().atMost(Duration.ofSeconds(30)).until(() -> watch.out().contains("TrainingStarted"));
        EventPublisher.publish(kafka, RunFailed.of(runId, null, "dataset", "no rows left after filters", null));
        done.get(30, java.util.concurrent.TimeUnit.SECONDS);

        assertEquals(ExitCodes.RUN_FAILED, watch.exitCode(), watch.err());
        List<String> lines = watch.out().lines().toList();
        assertEquals(2, lines.size(), watch.out());
        assertTrue(lines.get(0).contains(runId + " TrainingStarted     124 steps on cpu()"), lines.get(0));
        assertTrue(lines.get(1).endsWith(runId + " RunFailed           stage dataset: no rows left after filters"),
                lines.get(1));
    }

    @Test
    void watchSaysWhenNoConsumerGroupReadsTheTopicTheRunWaitsOnAndKeepsWatching() throws Exception {
        String runId = "run-waiting-1";
        assertEquals(0, CliRun.run("submit", "../examples/llama3-orpo.yaml", "--run-id", runId, "--bootstrap",
                bootstrap).exitCode());
        String hint = "no consumer group reads " + Topics.TRAINING_REQUESTED + ": is dataset-service running? "
                + "`./orpo local up` starts it";

        CliRun alone = CliRun.run("watch", runId, "--text", "--timeout", "12", "--bootstrap", bootstrap);
        assertEquals(ExitCodes.TIMED_OUT, alone.exitCode(), alone.err());
        assertTrue(alone.err().contains(hint), alone.err());
        assertEquals(1, alone.err().lines().filter(l -> l.contains(hint)).count(), "said once:\n" + alone.err());

        // a member of group dataset-service holding the topic's partitions: the hint would be wrong, so none
        var props = new KafkaOptions(bootstrap).consumer();
        props.put("group.id", ConsumerCheck.GROUPS.get(Topics.TRAINING_REQUESTED));
        try (var service = new KafkaConsumer<String, byte[]>(props)) {
            service.subscribe(List.of(Topics.TRAINING_REQUESTED));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                service.poll(Duration.ofMillis(200));
                return !service.assignment().isEmpty();
            });
            CliRun served = CliRun.run("watch", runId, "--text", "--timeout", "12", "--bootstrap", bootstrap);
            assertEquals(ExitCodes.TIMED_OUT, served.exitCode(), served.err());
            assertTrue(!served.err().contains("no consumer group"), served.err());
        }
    }

    @Test
    void consumerGroupsOfTheHintAreTheServicesConfiguredGroups() throws Exception {
        for (var e : ConsumerCheck.GROUPS.entrySet()) {
            String props = Files.readString(Path.of("..", e.getValue(), "src/main/resources/application.properties"));
            assertTrue(props.lines().anyMatch(l -> l.matches("mp\\.messaging\\.incoming\\.[a-z-]+\\.topic=" + e.getKey()
                    .replace(".", "\\."))), e.getValue() + " reads " + e.getKey());
            assertTrue(props.contains(".group.id=" + e.getValue() + "\n"), e.getValue() + " group id");
        }
    }

    @Test
    void watchPrintsJsonLinesWhenNotOnATerminal() {
        String runId = "run-watch-json";
        CliRun cancel = CliRun.run("cancel", runId, "--reason", "testing", "--bootstrap", bootstrap);
        assertEquals(0, cancel.exitCode(), cancel.err());

        CliRun watch = CliRun.run("watch", runId, "--until", "RunCancelled", "--timeout", "60",
                "--bootstrap", bootstrap);

        assertEquals(0, watch.exitCode(), watch.err());
        RunCancelled event = (RunCancelled) Topics.readEvent(Topics.RUN_CANCELLED,
                Json.toBytes(readTree(watch.out().strip()).get("event")));
        assertEquals("testing", event.reason());
        assertEquals(Topics.RUN_CANCELLED, readTree(watch.out().strip()).get("topic").asText());
    }

    @Test
    void topicsListsEveryTopicWithItsMessageCount() {
        CliRun.run("cancel", "run-topics-1", "--bootstrap", bootstrap);
        long cancelled = messages(Topics.RUN_CANCELLED);

        CliRun run = CliRun.run("topics", "--bootstrap", bootstrap);

        assertEquals(0, run.exitCode(), run.err());
        for (String topic : Topics.all()) {
            assertTrue(run.out().lines().anyMatch(l -> l.startsWith(topic + " ")), topic + "\n" + run.out());
        }
        assertTrue(run.out().lines().anyMatch(l -> l.matches(
                java.util.regex.Pattern.quote(Topics.RUN_CANCELLED) + " +" + LocalStack.PARTITIONS + " +"
                        + cancelled)), run.out());
    }

    private static com.fasterxml.jackson.databind.JsonNode readTree(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        var h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(new KafkaOptions(bootstrap).consumer());
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> c, String topic) {
        return c.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    private static long messages(String topic) {
        try (var c = consumer()) {
            var parts = partitions(c, topic);
            return c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Every record on the topic now. */
    private static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        try (var c = consumer()) {
            var parts = partitions(c, topic);
            var end = c.endOffsets(parts);
            c.assign(parts);
            c.seekToBeginning(parts);
            var records = new ArrayList<ConsumerRecord<String, byte[]>>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                c.poll(Duration.ofMillis(200)).forEach(records::add);
                return parts.stream().allMatch(p -> c.position(p) >= end.get(p));
            });
            return records;
        }
    }
}

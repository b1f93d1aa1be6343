package dev.orpo.contracts.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.request.DatasetSpec;
import dev.orpo.contracts.request.FieldError;
import dev.orpo.contracts.request.ModelSpec;
import dev.orpo.contracts.request.TrainingRequest;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventJsonTest {
    private static final Instant AT = Instant.parse("2026-11-28T05:12:00.123Z");
    private static final String RUN = "run-20261128-051200-3f9a";
    private static final Pattern SNAKE = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");
    private static final TrainingRequest REQUEST = new TrainingRequest(ModelSpec.of("/models/tiny"),
            DatasetSpec.of("s3://orpo/pairs.jsonl"), null, null, null, null, null, null);

    /** One sample of every event type, every field set. */
    static List<PipelineEvent> samples() {
        Map<String, Double> metrics = Map.of("loss", 1.25, "rewards/accuracies", 0.75, "rewards/margins", 0.02);
        return List.of(
                new TrainingRequested("e1", RUN, 1, AT, null, REQUEST),
                new DatasetPrepared("e2", RUN, 1, AT, "e1", "s3://orpo/runs/" + RUN + "/dataset/", "abc123", 990,
                        10, 3, 123456, 128258, REQUEST),
                new TrainingStarted("e3", RUN, 1, AT, "e2", 124, 0, "cpu()", 1_000_000, 8_000_000_000L),
                new TrainingProgressed("e4", RUN, 1, AT, "e3", TrainingProgressed.TRAIN, 7, 124, 0.05, metrics,
                        3500.5, 812.0),
                new CheckpointSaved("e5", RUN, 1, AT, "e3", 25, 124, "s3://orpo/runs/" + RUN
                        + "/checkpoints/step-25/", Map.of("adapter_model.safetensors", "ffee"), metrics, false,
                        REQUEST),
                new TrainingCompleted("e6", RUN, 1, AT, "e3", 124, "s3://orpo/runs/" + RUN
                        + "/checkpoints/step-124/", metrics, 4200.0, false, REQUEST),
                new ModelMerged("e7", RUN, 1, AT, "e6", 124, "s3://orpo/runs/" + RUN + "/merged/", "float16", 291,
                        16_000_000_000L, REQUEST),
                new EvaluationCompleted("e8", RUN, 1, AT, "e7", "merged", 124,
                        Map.of("base", Map.of("hellaswag", 0.6), "tuned", Map.of("hellaswag", 0.61)),
                        "s3://orpo/runs/" + RUN + "/eval/report.json"),
                new RunFailed("e9", RUN, 1, AT, "e1", "dataset", "2 bad rows",
                        List.of(new FieldError("dataset.rows[17].chosen", "empty answer"))),
                new RunCancelled("e10", RUN, 1, AT, null, "user asked"));
    }

    @Test
    void everyEventTypeHasASample() {
        assertEquals(Arrays.asList(PipelineEvent.class.getPermittedSubclasses()),
                samples().stream().map(Object::getClass).toList());
    }

    @Test
    void everyEventRoundTripsThroughItsTopic() {
        for (PipelineEvent event : samples()) {
            byte[] bytes = Json.toBytes(event);
            PipelineEvent back = Topics.readEvent(Topics.topicOf(event.getClass()), bytes);
            assertEquals(event, back, event.getClass().getSimpleName());
        }
    }

    @Test
    void fieldNamesAreSnakeCaseAndTimesAreIso8601() throws Exception {
        for (PipelineEvent event : samples()) {
            JsonNode tree = Json.mapper().readTree(Json.toBytes(event));
            List<String> names = new ArrayList<>();
            collectFieldNames(tree, names);
            for (String name : names) {
                assertTrue(SNAKE.matcher(name).matches(), event.getClass().getSimpleName() + " field " + name);
            }
            assertEquals("2026-11-28T05:12:00.123Z", tree.get("occurred_at").asText());
            assertEquals(RUN, tree.get("run_id").asText());
            assertEquals(1, tree.get("schema_version").asInt());
        }
    }

    @Test
    void metricNamesKeepTrlsSlashes() throws Exception {
        JsonNode tree = Json.mapper().readTree(Json.toBytes(samples().get(3)));

        assertEquals(0.75, tree.get("metrics").get("rewards/accuracies").asDouble());
        assertEquals(124, tree.get("total_steps").asLong());
        assertEquals(3500.5, tree.get("tokens_per_second").asDouble());
    }

    @Test
    void readersIgnoreFieldsAddedByANewerProducer() {
        String json = """
                {"event_id":"e10","run_id":"%s","schema_version":2,"occurred_at":"2026-11-28T05:12:00Z",
                 "reason":"user asked","requested_by":"ana"}""".formatted(RUN);
        RunCancelled back = (RunCancelled) Topics.readEvent(Topics.RUN_CANCELLED, json.getBytes());

        assertEquals("user asked", back.reason());
        assertEquals(2, back.schemaVersion());
    }

    @Test
    void factoriesStampIdTimeAndVersion() {
        RunCancelled c = RunCancelled.of(RUN, "why");
        RunFailed f = RunFailed.of(RUN, "e1", "request", "bad", null);

        assertFalse(c.eventId().equals(f.eventId()));
        assertEquals(PipelineEvent.SCHEMA_VERSION, c.schemaVersion());
        assertEquals(List.of(), f.errors());
        assertTrue(TrainingRequested.of(RUN, REQUEST).occurredAt().isAfter(AT.minusSeconds(1)));
    }

    @Test
    void wholeEventsMissNothingAndTheCheckIsNotOnTheWire() throws Exception {
        for (PipelineEvent event : samples()) {
            assertEquals(List.of(), event.missingFields(), event.getClass().getSimpleName());
            assertFalse(Json.mapper().readTree(Json.toBytes(event)).has("missing_fields"));
        }
    }

    @Test
    void requiredPayloadFieldsThatAreNullAreNamedAsOnTheWire() {
        DatasetPrepared noUri = new DatasetPrepared("e2", RUN, 1, AT, "e1", null, "abc", 1, 1, 0, 1, 1, null);
        CheckpointSaved noCheckpoint = new CheckpointSaved("e5", RUN, 1, AT, "e3", 25, 124, null, Map.of(), Map.of(),
                false, REQUEST);

        assertEquals(List.of("dataset_uri", "request"), noUri.missingFields());
        assertEquals(List.of("checkpoint_uri"), noCheckpoint.missingFields());
    }

    private static void collectFieldNames(JsonNode node, List<String> into) {
        node.fields().forEachRemaining(e -> {
            into.add(e.getKey());
            // maps keyed by data (metrics, files, table) are not schema names
            if (!List.of("metrics", "files", "table").contains(e.getKey())) {
                if (e.getValue().isObject()) {
                    collectFieldNames(e.getValue(), into);
                } else if (e.getValue().isArray()) {
                    e.getValue().forEach(item -> {
                        if (item.isObject()) {
                            collectFieldNames(item, into);
                        }
                    });
                }
            }
        });
    }
}

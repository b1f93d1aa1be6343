package dev.orpo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.contracts.events.EvaluationCompleted;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.contracts.events.TrainingProgressed;
import dev.orpo.contracts.request.FieldError;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EventFormatterTest {
    private static final Instant T = Instant.parse("2026-11-28T05:12:07.431Z");

    @Test
    void progressLineShowsStepLossRewardsAndMargins() {
        var metrics = new TreeMap<String, Double>(Map.of("loss", 1.25, "rewards/accuracies", 0.75,
                "rewards/margins", 0.0123, "rewards/chosen", -0.5, "rewards/rejected", -0.5123));
        var e = new TrainingProgressed("e", "run-a", 1, T, null, "train", 7, 124, 0.05, metrics, 3500.4, 812);

        assertEquals("2026-11-28T05:12:07Z run-a TrainingProgressed  train step 7/124 loss 1.2500 "
                + "rewards/accuracies 0.7500 rewards/margins 0.0123 rewards/chosen -0.5000 "
                + "rewards/rejected -0.5123 3500 tok/s eta 812 s", EventFormatter.textLine(e));
    }

    @Test
    void evalProgressUsesTheEvalPrefixedMetrics() {
        var e = new TrainingProgressed("e", "run-a", 1, T, null, "eval", 25, 124, 0.2,
                Map.of("eval_loss", 1.0, "loss", 9.0), 0, 0);

        assertEquals("2026-11-28T05:12:07Z run-a TrainingProgressed  eval step 25/124 eval_loss 1.0000",
                EventFormatter.textLine(e));
    }

    @Test
    void failureLineShowsStageReasonAndFieldErrors() {
        var e = new RunFailed("e", "run-a", 1, T, null, "dataset", "2 bad rows",
                List.of(new FieldError("dataset.rows[3].chosen", "empty answer")));

        assertEquals("2026-11-28T05:12:07Z run-a RunFailed           stage dataset: 2 bad rows "
                + "[dataset.rows[3].chosen: empty answer]", EventFormatter.textLine(e));
    }

    @Test
    void checkpointAndEvaluationLinesShowTheirUris() {
        var c = new CheckpointSaved("e", "run-a", 1, T, null, 124, 124, "s3://orpo/runs/run-a/checkpoints/step-124/",
                Map.of(), Map.of(), true, null);
        var ev = new EvaluationCompleted("e", "run-a", 1, T, null, "merged", 124,
                Map.of("tuned", Map.of("acc", 0.61)), "s3://orpo/runs/run-a/eval/report.json");

        assertEquals("step 124/124 (final) -> s3://orpo/runs/run-a/checkpoints/step-124/", EventFormatter.facts(c));
        assertEquals("merged step 124 tuned.acc 0.6100 -> s3://orpo/runs/run-a/eval/report.json",
                EventFormatter.facts(ev));
    }

    @Test
    void jsonLineCarriesTopicTypeAndTheEventAsOnTheWire() throws Exception {
        var e = RunFailed.of("run-a", "c1", "training", "NaN loss", null);

        JsonNode line = Json.mapper().readTree(EventFormatter.jsonLine(Topics.RUN_FAILED, e));

        assertEquals(Topics.RUN_FAILED, line.get("topic").asText());
        assertEquals("RunFailed", line.get("type").asText());
        assertEquals("run-a", line.get("run_id").asText());
        assertEquals(e, Json.mapper().treeToValue(line.get("event"), RunFailed.class));
    }
}

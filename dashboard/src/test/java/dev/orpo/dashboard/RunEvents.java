package dev.orpo.dashboard;

import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.contracts.events.EvaluationCompleted;
import dev.orpo.contracts.events.ModelMerged;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.contracts.events.TrainingCompleted;
import dev.orpo.contracts.events.TrainingProgressed;
import dev.orpo.contracts.events.TrainingRequested;
import dev.orpo.contracts.events.TrainingStarted;
import dev.orpo.contracts.request.FieldError;
import dev.orpo.contracts.request.TrainingRequest;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The events of one made-up run, as the stage services would publish them, with times one second apart. */
final class RunEvents {
    static final long TOTAL_STEPS = 20;
    private final String runId;
    private final Instant start = Instant.parse("2026-11-28T06:00:00Z");

    RunEvents(String runId) {
        this.runId = runId;
    }

    private Instant at(long second) {
        return start.plusSeconds(second);
    }

    TrainingRequested requested() {
        TrainingRequest request = Json.fromBytes(("{\"model\": {\"name_or_path\": \"tiny-llama\"},"
                + " \"dataset\": {\"uri\": \"s3://orpo/datasets/pairs.jsonl\"}}").getBytes(StandardCharsets.UTF_8),
                TrainingRequest.class);
        return new TrainingRequested(PipelineEvent.newEventId(), runId, PipelineEvent.SCHEMA_VERSION, at(0), null,
                request);
    }

    TrainingStarted started() {
        return new TrainingStarted(PipelineEvent.newEventId(), runId, PipelineEvent.SCHEMA_VERSION, at(2), null,
                TOTAL_STEPS, 0, "cpu()", 65_536, 4_000_000);
    }

    /** A train step whose loss falls as 1/step and whose margin grows, with TRL's other names alongside. */
    TrainingProgressed train(long step) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", 2.0 / step + 0.5);
        m.put("nll_loss", 1.8 / step + 0.4);
        m.put("log_odds_ratio", -0.7 + 0.02 * step);
        m.put("log_odds_chosen", 0.05 * step);
        m.put("rewards/accuracies", Math.min(1.0, 0.4 + 0.05 * step));
        m.put("rewards/margins", 0.01 * step);
        m.put("rewards/chosen", -0.1 - 0.001 * step);
        m.put("rewards/rejected", -0.1 - 0.011 * step);
        m.put("learning_rate", 8e-6 * (1 - (double) step / TOTAL_STEPS));
        m.put("grad_norm", 3.0 / Math.sqrt(step));
        return progressed(TrainingProgressed.TRAIN, step, m);
    }

    /** An evaluation at {@code step}: the train names with the {@code eval_} prefix. */
    TrainingProgressed eval(long step) {
        Map<String, Double> m = new LinkedHashMap<>();
        train(step).metrics().forEach((name, value) -> {
            if (!name.equals("learning_rate") && !name.equals("grad_norm")) {
                m.put("eval_" + name, value + 0.1);
            }
        });
        return progressed(TrainingProgressed.EVAL, step, m);
    }

    private TrainingProgressed progressed(String phase, long step, Map<String, Double> metrics) {
        return new TrainingProgressed(PipelineEvent.newEventId(), runId, PipelineEvent.SCHEMA_VERSION,
                at(10 + step * 2 + (phase.equals(TrainingProgressed.EVAL) ? 1 : 0)), null, phase, step, TOTAL_STEPS,
                step / (double) TOTAL_STEPS, metrics, 1200.0, (TOTAL_STEPS - step) * 2.0);
    }

    CheckpointSaved checkpoint(long step) {
        return new CheckpointSaved(PipelineEvent.newEventId(), runId, PipelineEvent.SCHEMA_VERSION, at(11 + step * 2),
                null, step, TOTAL_STEPS, checkpointUri(step), Map.of("adapter_model.safetensors", "ab12",
                "adapter_config.json", "cd34"), Map.of("loss", 0.6), step == TOTAL_STEPS, null);
    }

    String checkpointUri(long step) {
        return "s3://orpo/runs/" + runId + "/checkpoints/step-" + step + "/";
    }

    TrainingCompleted completed() {
        return new TrainingCompleted(PipelineEvent.newEventId(), runId, PipelineEvent.SCHEMA_VERSION, at(60), null,
                TOTAL_STEPS, checkpointUri(TOTAL_STEPS), Map.of("loss", 0.6), 48.5, false, null);
    }

    ModelMerged merged() {
        return new ModelMerged(PipelineEvent.newEventId(), runId, PipelineEvent.SCHEMA_VERSION, at(70), null,
                TOTAL_STEPS, "s3://orpo/runs/" + runId + "/merged/", "float32", 42, 1_000_000L, null);
    }

    /** The seed's base-vs-tuned table. */
    EvaluationCompleted evaluation(String target, long step, long second) {
        Map<String, Map<String, Double>> table = new LinkedHashMap<>();
        table.put("base", columns(48.0, 55.0, 50.0, 41.0, 46.0, 1.9));
        table.put("tuned", columns(50.5, 57.0, 53.0, 43.0, 48.0, 1.4));
        return new EvaluationCompleted(PipelineEvent.newEventId(), runId, PipelineEvent.SCHEMA_VERSION, at(second),
                null, target, step, table, "s3://orpo/runs/" + runId + "/eval/" + target + "-" + step + ".json");
    }

    /** A row as eval-service reports it: the suite column and average, task metrics in percent, eval_loss. */
    private static Map<String, Double> columns(double gpt4all, double arcAcc, double arcNorm, double hellaswagAcc,
                                               double hellaswagNorm, double loss) {
        Map<String, Double> row = new LinkedHashMap<>();
        row.put("GPT4All", gpt4all);
        row.put("average", gpt4all);
        row.put("arc_easy/acc", arcAcc);
        row.put("arc_easy/acc_norm", arcNorm);
        row.put("hellaswag/acc", hellaswagAcc);
        row.put("hellaswag/acc_norm", hellaswagNorm);
        row.put("eval_loss", loss);
        return row;
    }

    RunFailed failed() {
        return new RunFailed(PipelineEvent.newEventId(), runId, PipelineEvent.SCHEMA_VERSION, at(5), null, "dataset",
                "2 rows rejected", List.of(new FieldError("dataset.rows[17].chosen", "empty answer")));
    }
}

package dev.orpo.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.contracts.events.DatasetPrepared;
import dev.orpo.contracts.events.EvaluationCompleted;
import dev.orpo.contracts.events.ModelMerged;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.events.RunCancelled;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.contracts.events.TrainingCompleted;
import dev.orpo.contracts.events.TrainingProgressed;
import dev.orpo.contracts.events.TrainingRequested;
import dev.orpo.contracts.events.TrainingStarted;

import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.stream.Collectors;

/** One line per event: readable for people, or a JSON object for scripts. */
public final class EventFormatter {
    private EventFormatter() {
    }

    /** {@code {"topic":..., "type":..., "run_id":..., "event":{...}}}. */
    public static String jsonLine(String topic, PipelineEvent event) {
        ObjectNode line = Json.mapper().createObjectNode();
        line.put("topic", topic);
        line.put("type", event.getClass().getSimpleName());
        line.put("run_id", event.runId());
        line.set("event", Json.mapper().valueToTree(event));
        return Json.toJson(line);
    }

    /** {@code 2026-11-28T05:12:00Z run-… TrainingProgressed  step 7/124 loss 1.2500 …}. */
    public static String textLine(PipelineEvent event) {
        String time = event.occurredAt() == null ? "-" : event.occurredAt().truncatedTo(ChronoUnit.SECONDS).toString();
        return String.format(Locale.ROOT, "%s %s %-19s %s", time, event.runId(), event.getClass().getSimpleName(),
                facts(event)).stripTrailing();
    }

    /** The key facts of an event, in words. */
    static String facts(PipelineEvent event) {
        if (event instanceof TrainingRequested e) {
            return e.request() == null ? "" : "model " + e.request().model().nameOrPath() + ", dataset "
                    + e.request().dataset().uri();
        } else if (event instanceof DatasetPrepared e) {
            return "train " + e.trainRows() + " pairs, test " + e.testRows() + ", rejected " + e.rejectedRows()
                    + ", " + e.trainTokens() + " tokens, vocab " + e.vocabSize() + " -> " + e.datasetUri();
        } else if (event instanceof TrainingStarted e) {
            return e.totalSteps() + " steps on " + e.device() + ", trainable " + e.trainableParameters() + " of "
                    + e.totalParameters() + " parameters"
                    + (e.resumedFromStep() > 0 ? ", resumed from step " + e.resumedFromStep() : "");
        } else if (event instanceof TrainingProgressed e) {
            return progress(e);
        } else if (event instanceof CheckpointSaved e) {
            return "step " + e.step() + "/" + e.totalSteps() + (e.finalCheckpoint() ? " (final)" : "") + " -> "
                    + e.checkpointUri();
        } else if (event instanceof TrainingCompleted e) {
            return (e.cancelled() ? "cancelled at" : "finished") + " step " + e.finalStep()
                    + String.format(Locale.ROOT, " in %.0f s", e.durationSeconds()) + metric(e.metrics(), "loss")
                    + " -> " + e.adapterUri();
        } else if (event instanceof ModelMerged e) {
            return "step " + e.step() + ", " + e.dtype() + ", " + e.tensors() + " tensors, " + e.bytes()
                    + " bytes -> " + e.modelUri();
        } else if (event instanceof EvaluationCompleted e) {
            return e.target() + " step " + e.step() + " " + table(e.table()) + " -> " + e.reportUri();
        } else if (event instanceof RunFailed e) {
            String errors = e.errors() == null || e.errors().isEmpty() ? ""
                    : " [" + e.errors().stream().map(Object::toString).collect(Collectors.joining("; ")) + "]";
            return "stage " + e.stage() + ": " + e.reason() + errors;
        } else if (event instanceof RunCancelled e) {
            return "reason: " + e.reason();
        }
        return "";
    }

    private static String progress(TrainingProgressed e) {
        String p = TrainingProgressed.EVAL.equals(e.phase()) ? "eval_" : "";
        var sb = new StringBuilder(e.phase()).append(" step ").append(e.step()).append('/').append(e.totalSteps());
        sb.append(metric(e.metrics(), p + "loss"));
        sb.append(metric(e.metrics(), p + "rewards/accuracies"));
        sb.append(metric(e.metrics(), p + "rewards/margins"));
        sb.append(metric(e.metrics(), p + "rewards/chosen"));
        sb.append(metric(e.metrics(), p + "rewards/rejected"));
        if (e.tokensPerSecond() > 0) {
            sb.append(String.format(Locale.ROOT, " %.0f tok/s", e.tokensPerSecond()));
        }
        if (e.etaSeconds() > 0) {
            sb.append(String.format(Locale.ROOT, " eta %.0f s", e.etaSeconds()));
        }
        return sb.toString();
    }

    private static String metric(Map<String, Double> metrics, String name) {
        Double v = metrics == null ? null : metrics.get(name);
        return v == null ? "" : String.format(Locale.ROOT, " %s %.4f", name, v);
    }

    private static String table(Map<String, Map<String, Double>> table) {
        if (table == null) {
            return "";
        }
        var j = new StringJoiner(", ");
        table.forEach((model, columns) -> columns.forEach((column, v) ->
                j.add(String.format(Locale.ROOT, "%s.%s %.4f", model, column, v))));
        return j.toString();
    }
}

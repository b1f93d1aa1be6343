package dev.orpo.model.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The base-vs-tuned table: rows = models, columns = average, each task's acc / acc_norm (percent), preference
 * metrics, perplexities; plus the history of per-checkpoint rows. Rendered as Markdown (like the seed's results table) or JSON.
 */
public record EvalReport(List<ModelScores> rows, List<Checkpoint> history) {

    /** Scores of the checkpoint saved at {@code step}. */
    public record Checkpoint(long step, ModelScores scores) {
    }

    public EvalReport {
        rows = List.copyOf(rows);
        history = List.copyOf(history);
    }

    public static EvalReport of(ModelScores... rows) {
        return new EvalReport(List.of(rows), List.of());
    }

    /** A copy with one more checkpoint in the history. */
    public EvalReport withCheckpoint(long step, ModelScores scores) {
        List<Checkpoint> h = new ArrayList<>(history);
        h.add(new Checkpoint(step, scores));
        return new EvalReport(rows, h);
    }

    /** model → column → value: the {@code table} of the EvaluationCompleted event. */
    public Map<String, Map<String, Double>> table() {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        rows.forEach(r -> out.put(r.model(), r.columns()));
        return out;
    }

    /** Markdown table; metrics a row lacks are blank; percentages with 2 decimals, other metrics with 4. */
    public String markdown() {
        Set<String> columns = new LinkedHashSet<>();
        rows.forEach(r -> columns.addAll(r.columns().keySet()));
        StringBuilder md = new StringBuilder("| Model |");
        columns.forEach(c -> md.append(' ').append(c).append(" |"));
        md.append("\n|---|");
        columns.forEach(c -> md.append("---:|"));
        md.append('\n');
        for (ModelScores r : rows) {
            Map<String, Double> values = r.columns();
            md.append("| ").append(r.model()).append(" |");
            for (String c : columns) {
                Double v = values.get(c);
                md.append(' ').append(v == null ? "" : format(c, v)).append(" |");
            }
            md.append('\n');
        }
        return md.toString();
    }

    private static String format(String column, double v) {
        boolean percent = column.equals("average") || column.endsWith("/acc") || column.endsWith("/acc_norm");
        return String.format(Locale.ROOT, percent ? "%.2f" : "%.4f", v);
    }

    /** {@code {"table": {...}, "tasks": {model: {task: {n, acc, acc_norm}}}, "history": [{step, table row}]}}. */
    public String json() {
        ObjectNode root = TaskFiles.JSON.createObjectNode();
        ObjectNode table = root.putObject("table");
        table().forEach((model, cols) -> putAll(table.putObject(model), cols));
        ObjectNode tasks = root.putObject("tasks");
        for (ModelScores r : rows) {
            ObjectNode m = tasks.putObject(r.model());
            r.tasks().forEach((name, t) -> m.putObject(name).put("n", t.n()).put("acc", t.acc())
                    .put("acc_norm", t.accNorm()));
        }
        ArrayNode hist = root.putArray("history");
        for (Checkpoint c : history) {
            ObjectNode entry = hist.addObject().put("step", c.step()).put("model", c.scores().model());
            putAll(entry.putObject("columns"), c.scores().columns());
        }
        try {
            return TaskFiles.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putAll(ObjectNode node, Map<String, Double> values) {
        values.forEach((k, v) -> {
            if (Double.isFinite(v)) {
                node.put(k, v);
            } else {
                node.putNull(k);
            }
        });
    }
}

package dev.orpo.model.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orpo.model.generate.PromptSample;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The base-vs-tuned table: rows = models, columns = the suites and the average, each task's metrics (percent),
 * preference metrics, perplexities; plus the history of per-checkpoint rows and generation samples (each prompt's reply per
 * model). Rendered as Markdown (like the seed's results table) or JSON.
 *
 * @param samples one entry per prompt, in prompt order; empty when no prompts were given
 */
public record EvalReport(List<ModelScores> rows, List<Checkpoint> history, List<Sample> samples) {

    /** Scores of the checkpoint saved at {@code step}. */
    public record Checkpoint(long step, ModelScores scores) {
    }

    /** One prompt and each model's reply to it (model label → reply, in the order the models were added). */
    public record Sample(String prompt, Map<String, String> replies) {
        public Sample {
            replies = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(replies));
        }
    }

    public EvalReport {
        rows = List.copyOf(rows);
        history = List.copyOf(history);
        samples = List.copyOf(samples);
    }

    /** Scores and history, no samples. */
    public EvalReport(List<ModelScores> rows, List<Checkpoint> history) {
        this(rows, history, List.of());
    }

    public static EvalReport of(ModelScores... rows) {
        return new EvalReport(List.of(rows), List.of());
    }

    /** A copy with one more checkpoint in the history. */
    public EvalReport withCheckpoint(long step, ModelScores scores) {
        List<Checkpoint> h = new ArrayList<>(history);
        h.add(new Checkpoint(step, scores));
        return new EvalReport(rows, h, samples);
    }

    /**
     * A copy with {@code model}'s replies added to the samples (replacing an earlier reply of the same label).
     *
     * @param replies one per prompt; the prompts must be those (and in the order) of the samples so far, if any
     */
    public EvalReport withSamples(String model, List<PromptSample> replies) {
        if (!samples.isEmpty() && samples.size() != replies.size()) {
            throw new IllegalArgumentException(model + ": " + replies.size() + " replies for " + samples.size()
                    + " sample prompts");
        }
        List<Sample> next = new ArrayList<>();
        for (int i = 0; i < replies.size(); i++) {
            PromptSample reply = replies.get(i);
            Map<String, String> byModel = new LinkedHashMap<>();
            if (!samples.isEmpty()) {
                Sample earlier = samples.get(i);
                if (!earlier.prompt().equals(reply.prompt())) {
                    throw new IllegalArgumentException(model + ": reply " + i + " is to \"" + reply.prompt()
                            + "\", the samples' prompt " + i + " is \"" + earlier.prompt() + "\"");
                }
                byModel.putAll(earlier.replies());
            }
            byModel.put(model, reply.reply());
            next.add(new Sample(reply.prompt(), byModel));
        }
        return new EvalReport(rows, history, next);
    }

    /** model → column → value: the {@code table} of the EvaluationCompleted event. */
    public Map<String, Map<String, Double>> table() {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        rows.forEach(r -> out.put(r.model(), r.columns()));
        return out;
    }

    /**
     * Markdown in the seed's shape: a summary table (one row per model: the suites' columns and the average), the
     * per-task table (one row per task and metric, one column per model, and the change when there are two), the
     * other metrics (preference, perplexity) the same way, then the samples (one row per prompt, a column per model).
     * Missing values are blank; percentages with 2 decimals, other metrics with 4.
     */
    public String markdown() {
        Set<String> columns = new LinkedHashSet<>();
        rows.forEach(r -> columns.addAll(r.columns().keySet()));
        List<String> summary = columns.stream().filter(EvalReport::isSummary).toList();
        List<String> perTask = columns.stream().filter(c -> !isSummary(c) && isPercent(c)).toList();
        List<String> other = columns.stream().filter(c -> !isPercent(c)).toList();
        StringBuilder md = new StringBuilder();
        if (!summary.isEmpty()) {
            md.append("| Model |");
            summary.forEach(c -> md.append(' ').append(c).append(" |"));
            md.append("\n|---|");
            summary.forEach(c -> md.append("---:|"));
            md.append('\n');
            for (ModelScores r : rows) {
                md.append("| ").append(r.model()).append(" |");
                summary.forEach(c -> md.append(' ').append(value(r, c)).append(" |"));
                md.append('\n');
            }
        }
        if (!perTask.isEmpty()) {
            appendByModel(md.append(md.length() > 0 ? "\n" : ""), "| Task | Metric |", perTask, true);
        }
        if (!other.isEmpty()) {
            appendByModel(md.append(md.length() > 0 ? "\n" : ""), "| Metric |", other, false);
        }
        if (!samples.isEmpty()) {
            appendSamples(md);
        }
        return md.toString();
    }

    /** One row per column (task metrics split into task and metric), a column per model, then the change. */
    private void appendByModel(StringBuilder md, String head, List<String> columns, boolean splitTask) {
        boolean change = rows.size() == 2;
        md.append(head);
        rows.forEach(r -> md.append(' ').append(r.model()).append(" |"));
        md.append(change ? " change |\n" : "\n").append(splitTask ? "|---|---|" : "|---|");
        rows.forEach(r -> md.append("---:|"));
        md.append(change ? "---:|\n" : "\n");
        String lastTask = null;
        for (String c : columns) {
            if (splitTask) {
                int slash = c.lastIndexOf('/');
                String task = c.substring(0, slash);
                md.append("| ").append(task.equals(lastTask) ? "" : task).append(" | ").append(c.substring(slash + 1))
                        .append(" |");
                lastTask = task;
            } else {
                md.append("| ").append(c).append(" |");
            }
            rows.forEach(r -> md.append(' ').append(value(r, c)).append(" |"));
            if (change) {
                Double a = rows.get(0).columns().get(c);
                Double b = rows.get(1).columns().get(c);
                md.append(' ').append(a == null || b == null ? "" : signed(c, b - a)).append(" |");
            }
            md.append('\n');
        }
    }

    private static String value(ModelScores row, String column) {
        Double v = row.columns().get(column);
        return v == null ? "" : format(column, v);
    }

    /** A suite's column or the average: the summary table's columns. */
    static boolean isSummary(String column) {
        return column.equals(ModelScores.AVERAGE) || Suites.ALL.stream().anyMatch(s -> s.column().equals(column));
    }

    /** Task figures, suites and the average are percentages; everything else is a plain number. */
    public static boolean isPercent(String column) {
        return isSummary(column) || Arrays.stream(Metric.values()).anyMatch(m -> column.endsWith("/" + m.key()));
    }

    /** A value as the report prints it: percentages with 2 decimals, other metrics with 4. */
    public static String format(String column, double v) {
        return String.format(Locale.ROOT, isPercent(column) ? "%.2f" : "%.4f", v);
    }

    /** A difference with its sign, as {@link #format}. */
    public static String signed(String column, double d) {
        return (d >= 0 ? "+" : "") + format(column, d);
    }

    private void appendSamples(StringBuilder md) {
        Set<String> models = new LinkedHashSet<>();
        samples.forEach(s -> models.addAll(s.replies().keySet()));
        md.append("\n### Samples\n\n| Prompt |");
        models.forEach(m -> md.append(' ').append(cell(m)).append(" |"));
        md.append("\n|---|");
        models.forEach(m -> md.append("---|"));
        md.append('\n');
        for (Sample s : samples) {
            md.append("| ").append(cell(s.prompt())).append(" |");
            models.forEach(m -> md.append(' ').append(cell(s.replies().getOrDefault(m, ""))).append(" |"));
            md.append('\n');
        }
    }

    /**
     * Text as one Markdown table cell: {@code |} escaped, line breaks as {@code <br>}, other control characters (an
     * untrained model emits raw bytes) as {@code \xNN} so they stay visible instead of rendering as nothing.
     */
    static String cell(String text) {
        String lines = text.replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>").replace("\r", "<br>");
        StringBuilder out = new StringBuilder(lines.length());
        lines.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format(Locale.ROOT, "\\x%02x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    /**
     * {@code {"table": {...}, "tasks": {model: {task: {n, <metric>: fraction, ..., "replies": [...]}}},
     * "history": [{step, table row}],
     * "samples": [{"prompt", "replies": {model: reply}}]}}.
     */
    public String json() {
        ObjectNode root = TaskFiles.JSON.createObjectNode();
        ObjectNode table = root.putObject("table");
        table().forEach((model, cols) -> putAll(table.putObject(model), cols));
        ObjectNode tasks = root.putObject("tasks");
        for (ModelScores r : rows) {
            ObjectNode m = tasks.putObject(r.model());
            r.tasks().forEach((name, t) -> {
                ObjectNode task = m.putObject(name).put("n", t.n());
                t.metrics().forEach((metric, v) -> task.put(metric.key(), v));
                if (!t.replies().isEmpty()) {
                    ArrayNode replies = task.putArray("replies");
                    t.replies().forEach(reply -> replies.addObject().put("prompt", reply.prompt())
                            .put("target", reply.target()).put("reply", reply.reply()).put("exact", reply.exact()));
                }
            });
        }
        ArrayNode hist = root.putArray("history");
        for (Checkpoint c : history) {
            ObjectNode entry = hist.addObject().put("step", c.step()).put("model", c.scores().model());
            putAll(entry.putObject("columns"), c.scores().columns());
        }
        ArrayNode sampleArray = root.putArray("samples");
        for (Sample s : samples) {
            ObjectNode replies = sampleArray.addObject().put("prompt", s.prompt()).putObject("replies");
            s.replies().forEach(replies::put);
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

package dev.orpo.model.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orpo.model.generate.PromptSample;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The base-vs-tuned table: rows = models, columns = average, each task's acc / acc_norm (percent), preference
 * metrics, perplexities; plus the history of per-checkpoint rows and generation samples (each prompt's reply per
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
     * Markdown table; metrics a row lacks are blank; percentages with 2 decimals, other metrics with 4. With samples,
     * a "Samples" table follows: one row per prompt, one column per model.
     */
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
        if (!samples.isEmpty()) {
            appendSamples(md);
        }
        return md.toString();
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

    private static String format(String column, double v) {
        boolean percent = column.equals("average") || column.endsWith("/acc") || column.endsWith("/acc_norm");
        return String.format(Locale.ROOT, percent ? "%.2f" : "%.4f", v);
    }

    /**
     * {@code {"table": {...}, "tasks": {model: {task: {n, acc, acc_norm}}}, "history": [{step, table row}],
     * "samples": [{"prompt", "replies": {model: reply}}]}}.
     */
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

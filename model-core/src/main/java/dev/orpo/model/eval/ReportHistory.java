package dev.orpo.model.eval;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the per-checkpoint history back from a report written by {@link EvalReport#json()}, so an evaluator that
 * restarts continues the curve instead of starting a new one. A restored entry keeps the flat columns exactly as
 * written (task results become plain columns: the per-question details were never in the report); a null column
 * (a non-finite value) reads back as NaN.
 */
public final class ReportHistory {
    private ReportHistory() {
    }

    /** The {@code history} entries of a report.json, in their order; empty when the report has none. */
    public static List<EvalReport.Checkpoint> read(String reportJson) {
        JsonNode root;
        try {
            root = TaskFiles.JSON.readTree(reportJson);
        } catch (IOException e) {
            throw new UncheckedIOException("evaluation report is not JSON: " + e.getMessage(), e);
        }
        JsonNode history = root == null ? null : root.get("history");
        List<EvalReport.Checkpoint> out = new ArrayList<>();
        if (history == null || history.isNull()) {
            return out;
        }
        if (!history.isArray()) {
            throw new IllegalArgumentException("evaluation report: history must be an array");
        }
        for (int i = 0; i < history.size(); i++) {
            JsonNode entry = history.get(i);
            JsonNode step = entry.get("step");
            JsonNode columns = entry.get("columns");
            if (step == null || !step.canConvertToLong() || columns == null || !columns.isObject()) {
                throw new IllegalArgumentException("evaluation report: history[" + i
                        + "] needs a numeric step and a columns object");
            }
            Map<String, Double> values = new LinkedHashMap<>();
            columns.fields().forEachRemaining(f -> values.put(f.getKey(),
                    f.getValue().isNumber() ? f.getValue().asDouble() : Double.NaN));
            String model = entry.hasNonNull("model") ? entry.get("model").asText() : "tuned";
            out.add(new EvalReport.Checkpoint(step.asLong(), new ModelScores(model, Map.of(), values)));
        }
        return out;
    }
}

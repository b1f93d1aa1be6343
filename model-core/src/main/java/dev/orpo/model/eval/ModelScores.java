package dev.orpo.model.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One row of the evaluation table: a model's task results and other metrics (preference, perplexity).
 *
 * @param model      label, e.g. {@code base}, {@code tuned}, {@code checkpoint-200}
 * @param tasks      task name → result, in column order
 * @param metrics    {@code eval_*} preference metrics and {@code perplexity/<text>} → value (may be empty)
 */
public record ModelScores(String model, Map<String, TaskResult> tasks, Map<String, Double> metrics) {
    public ModelScores {
        tasks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tasks));
        metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /**
     * Mean {@code acc_norm} over the tasks, in percent like the seed's table; NaN without tasks. acc_norm is the
     * figure lm-eval suites usually report for multiple choice (it does not favour short answers).
     */
    public double average() {
        return tasks.values().stream().mapToDouble(t -> 100 * t.accNorm()).average().orElse(Double.NaN);
    }

    /** The flat row: {@code <task>/acc}, {@code <task>/acc_norm} (percent), {@code average}, then the other metrics. */
    public Map<String, Double> columns() {
        Map<String, Double> out = new LinkedHashMap<>();
        if (!tasks.isEmpty()) {
            out.put("average", average());
        }
        tasks.forEach((name, r) -> {
            out.put(name + "/acc", 100 * r.acc());
            out.put(name + "/acc_norm", 100 * r.accNorm());
        });
        out.putAll(metrics);
        return out;
    }
}

package dev.orpo.model.eval;


import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row of the evaluation table: a model's task results and other metrics (preference, perplexity).
 *
 * @param model   label, e.g. {@code base}, {@code tuned}, {@code checkpoint-200}
 * @param tasks   task name → result, in column order
 * @param metrics {@code eval_*} preference metrics and {@code perplexity/<text>} → value (may be empty)
 */
public record ModelScores(String model, Map<String, TaskResult> tasks, Map<String, Double> metrics) {
    /** The mean of the suites' columns and of the headline figures of tasks outside any suite. */
    public static final String AVERAGE = "average";

    public ModelScores {
        tasks = Collections.unmodifiableMap(new LinkedHashMap<>(tasks));
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /**
     * The flat row, task figures in percent like the seed's table: one column per suite with tasks here (the mean of
     * its averaged tasks' headline figures: acc_norm when reported, else acc; mc2), {@code average}, then
     * {@code <task>/<metric>} for each reported metric, then the other metrics as they are.
     */
    public Map<String, Double> columns() {
        Map<String, Double> out = new LinkedHashMap<>();
        if (!tasks.isEmpty()) {
            List<Double> parts = new ArrayList<>();
            for (Suite suite : Suites.ALL) {
                double[] values = suite.averaged().stream().filter(tasks::containsKey)
                        .mapToDouble(t -> 100 * tasks.get(t).headline()).toArray();
                if (values.length > 0) {
                    double mean = java.util.Arrays.stream(values).average().orElseThrow();
                    out.put(suite.column(), mean);
                    parts.add(mean);
                }
            }
            tasks.forEach((name, r) -> {
                if (Suites.of(name).isEmpty()) {
                    parts.add(100 * r.headline());
                }
            });
            out.put(AVERAGE, parts.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
        }
        tasks.forEach((name, r) -> r.metrics().forEach((metric, v) -> out.put(name + "/" + metric.key(), 100 * v)));
        out.putAll(metrics);
        return out;
    }
}

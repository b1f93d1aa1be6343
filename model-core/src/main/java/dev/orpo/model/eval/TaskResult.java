package dev.orpo.model.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A task's metrics (fractions in [0, 1]) over its scored questions or prompts.
 *
 * @param metrics  reported metrics in column order
 * @param docs     per question (multiple choice); empty for generation
 * @param replies  per prompt (generation); empty for multiple choice
 */
public record TaskResult(String task, int n, Map<Metric, Double> metrics, List<DocResult> docs,
                         List<Reply> replies) {

    /** One greedy reply and whether it equals the target. */
    public record Reply(String prompt, String target, String reply) {
        public boolean exact() {
            return reply.equals(target);
        }
    }

    public TaskResult {
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        docs = List.copyOf(docs);
        replies = List.copyOf(replies);
    }

    /** Multiple-choice metrics: acc, acc_norm and mc2 as the task reports them. */
    public static TaskResult ofChoices(String task, java.util.Set<Metric> reported, List<DocResult> docs) {
        Map<Metric, Double> m = new LinkedHashMap<>();
        for (Metric metric : reported) {
            m.put(metric, switch (metric) {
                case ACC -> docs.stream().filter(DocResult::correct).count() / (double) docs.size();
                case ACC_NORM -> docs.stream().filter(DocResult::correctNorm).count() / (double) docs.size();
                case MC2 -> docs.stream().mapToDouble(DocResult::trueMass).average().orElse(Double.NaN);
                case EXACT_MATCH -> throw new IllegalArgumentException("exact_match is a generation metric");
            });
        }
        return new TaskResult(task, docs.size(), m, docs, List.of());
    }

    /** Generation: exact_match over the replies. */
    public static TaskResult ofReplies(String task, List<Reply> replies) {
        double exact = replies.stream().filter(Reply::exact).count() / (double) replies.size();
        return new TaskResult(task, replies.size(), Map.of(Metric.EXACT_MATCH, exact), List.of(), replies);
    }

    /** The value of a metric; NaN when the task does not report it. */
    public double get(Metric metric) {
        return metrics.getOrDefault(metric, Double.NaN);
    }

    /** The figure averages use ({@link Metric#headline}). */
    public double headline() {
        return metrics.get(Metric.headline(metrics.keySet()));
    }
}

package dev.orpo.model.eval;

import java.util.List;

/** A task's {@code acc} and {@code acc_norm} (fractions in [0, 1]) over its scored questions. */
public record TaskResult(String task, int n, double acc, double accNorm, List<DocResult> docs) {

    public static TaskResult of(String task, List<DocResult> docs) {
        double acc = docs.stream().filter(DocResult::correct).count() / (double) docs.size();
        double norm = docs.stream().filter(DocResult::correctNorm).count() / (double) docs.size();
        return new TaskResult(task, docs.size(), acc, norm, List.copyOf(docs));
    }
}

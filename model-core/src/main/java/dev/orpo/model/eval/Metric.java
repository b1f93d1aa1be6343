package dev.orpo.model.eval;

import java.util.Collection;
import java.util.List;

/** A task metric, named as lm-evaluation-harness reports it (except {@link #MC2}, which lm-eval calls {@code acc}). */
public enum Metric {
    /** The most likely choice is right. */
    ACC("acc"),
    /** The choice with the highest log-likelihood per character is right. */
    ACC_NORM("acc_norm"),
    /** TruthfulQA mc2: the normalized probability mass on the true answers. */
    MC2("mc2"),
    /** The greedy reply equals the target exactly. */
    EXACT_MATCH("exact_match");

    private final String key;

    Metric(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    /**
     * The figure a task contributes to averages, as the seed's table (llm-autoeval) takes it: {@code acc_norm} when the
     * task reports it, else {@code mc2}, else {@code acc}, else {@code exact_match}.
     */
    public static Metric headline(Collection<Metric> reported) {
        for (Metric m : List.of(ACC_NORM, MC2, ACC, EXACT_MATCH)) {
            if (reported.contains(m)) {
                return m;
            }
        }
        throw new IllegalArgumentException("a task reports no metric");
    }
}

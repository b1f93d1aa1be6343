package dev.orpo.model.eval;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A multiple-choice task: its questions in evaluation order, the pool its few-shot examples come from, and the metrics
 * it reports.
 *
 * @param fewShotPool      documents of the task's few-shot split, in file order; may be the questions themselves
 * @param excludeQuestion  draw k + 1 examples and drop the question itself (lm-eval does this when the task's few-shot
 *                         split is its test split, both unset included); otherwise draw k, where the pool may hold the
 *                         question (AGIEval, BigBench: their pool is the test split). "Itself" means the same object
 * @param fixedShots       examples per question whatever is asked (TruthfulQA: 0); null follows the request
 * @param metrics          reported metrics, in column order
 */
public record ChoiceTask(String name, List<Question> questions, List<Question> fewShotPool, boolean excludeQuestion,
                         Integer fixedShots, Set<Metric> metrics) implements EvalTask {
    public ChoiceTask {
        if (questions == null || questions.isEmpty()) {
            throw new IllegalArgumentException("task " + name + " has no questions");
        }
        questions = List.copyOf(questions);
        fewShotPool = List.copyOf(fewShotPool);
        if (metrics.isEmpty() || metrics.contains(Metric.EXACT_MATCH)) {
            throw new IllegalArgumentException("task " + name + ": multiple choice reports acc, acc_norm or mc2");
        }
        metrics = Collections.unmodifiableSet(EnumSet.copyOf(metrics)); // enum order: acc, acc_norm, mc2
    }

    /**
     * A task from one file: acc and acc_norm, few-shot examples from its other questions (docs/eval-tasks.md).
     */
    public static ChoiceTask ofFile(String name, List<Question> questions) {
        return new ChoiceTask(name, questions, questions, true, null, EnumSet.of(Metric.ACC, Metric.ACC_NORM));
    }

    /** Examples per question for a requested k. */
    public int shots(int requested) {
        return fixedShots != null ? fixedShots : requested;
    }

    @Override
    public int size() {
        return questions.size();
    }
}

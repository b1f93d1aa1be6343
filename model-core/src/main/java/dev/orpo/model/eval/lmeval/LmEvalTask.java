package dev.orpo.model.eval.lmeval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orpo.model.eval.ChoiceTask;
import dev.orpo.model.eval.Metric;
import dev.orpo.model.eval.Question;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One lm-evaluation-harness multiple-choice task: where its data is on the hub, which splits it evaluates and draws
 * few-shot examples from, and how a row of the hub's schema becomes a {@link Question} (its YAML's
 * {@code doc_to_text}, {@code doc_to_choice}, {@code doc_to_target}, {@code process_docs}).
 *
 * @param name            lm-eval's task name
 * @param dataset         hub dataset id ({@code dataset_path})
 * @param config          hub config ({@code dataset_name}); {@code default} where lm-eval has none
 * @param evalSplit       the split scored: the test split, else the validation split
 * @param fewShotSplit    where examples come from: the training split, else validation, else test
 * @param excludeQuestion see {@link ChoiceTask#excludeQuestion()}
 * @param fixedShots      see {@link ChoiceTask#fixedShots()}
 * @param metrics         the metrics lm-eval's YAML lists
 * @param rows            row → question; null for a row the task filters out
 */
public record LmEvalTask(String name, String dataset, String config, String evalSplit, String fewShotSplit,
                         boolean excludeQuestion, Integer fixedShots, Set<Metric> metrics, RowMapper rows) {

    /** Renders one row of the hub's schema; throws {@link IllegalArgumentException} naming the bad field. */
    @FunctionalInterface
    public interface RowMapper {
        Question map(JsonNode row);
    }

    public LmEvalTask {
        metrics = Collections.unmodifiableSet(EnumSet.copyOf(metrics));
    }

    /** Examples per question for a requested k. */
    public int shots(int requested) {
        return fixedShots != null ? fixedShots : requested;
    }

    /**
     * The task over rows read from its splits.
     *
     * @param evalRows    the rows of {@link #evalSplit}, in file order
     * @param fewShotRows the rows of {@link #fewShotSplit} (ignored when it is the eval split: the same questions
     *                    serve); may be empty when no examples are drawn
     * @param where       names the source in errors, e.g. the file
     * @throws IllegalArgumentException naming the task, the split, the 0-based row and the field
     */
    public ChoiceTask task(List<JsonNode> evalRows, List<JsonNode> fewShotRows, String where) {
        List<Question> questions = map(evalRows, evalSplit, where);
        if (questions.isEmpty()) {
            throw new IllegalArgumentException(name + " " + evalSplit + " split (" + where + "): no questions");
        }
        List<Question> pool = fewShotSplit.equals(evalSplit) ? questions : map(fewShotRows, fewShotSplit, where);
        return new ChoiceTask(name, questions, pool, excludeQuestion, fixedShots, metrics);
    }

    private List<Question> map(List<JsonNode> rows, String split, String where) {
        List<Question> out = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            try {
                Question q = this.rows.map(rows.get(i));
                if (q != null) {
                    out.add(q);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + " " + split + " split (" + where + ") row " + i + ": "
                        + e.getMessage(), e);
            }
        }
        return out;
    }
}

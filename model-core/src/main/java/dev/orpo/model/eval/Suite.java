package dev.orpo.model.eval;

import java.util.List;

/**
 * A column of the seed's table: a group of lm-eval tasks and the ones whose headline figure it averages.
 *
 * @param name     what {@code --suite} / {@code eval.suite} accept, e.g. {@code gpt4all}
 * @param column   the table's column, as the seed's table names it, e.g. {@code GPT4All}
 * @param tasks    lm-eval task names, in table order
 * @param averaged the tasks whose headline figure (acc_norm when reported, else acc; mc2) the column averages
 */
public record Suite(String name, String column, List<String> tasks, List<String> averaged) {
    public Suite {
        tasks = List.copyOf(tasks);
        averaged = List.copyOf(averaged);
        if (!tasks.containsAll(averaged)) {
            throw new IllegalArgumentException("suite " + name + " averages tasks it does not hold");
        }
    }

    /** A suite averaging all its tasks. */
    public static Suite of(String name, String column, List<String> tasks) {
        return new Suite(name, column, tasks, tasks);
    }
}

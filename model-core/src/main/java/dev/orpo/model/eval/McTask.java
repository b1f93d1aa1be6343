package dev.orpo.model.eval;

import java.util.List;

/** A named multiple-choice task (named after its file, e.g. {@code arc_easy} for arc_easy.jsonl). */
public record McTask(String name, List<McDoc> docs) {
    public McTask {
        if (docs == null || docs.isEmpty()) {
            throw new IllegalArgumentException("task " + name + " has no questions");
        }
        docs = List.copyOf(docs);
    }

    /** The first {@code limit} questions (null: all), like lm-eval's {@code --limit}. */
    public McTask limit(Integer limit) {
        if (limit == null || limit >= docs.size()) {
            return this;
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, got " + limit);
        }
        return new McTask(name, docs.subList(0, limit));
    }
}

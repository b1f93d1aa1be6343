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

}

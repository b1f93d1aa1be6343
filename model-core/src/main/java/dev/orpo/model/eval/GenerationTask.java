package dev.orpo.model.eval;

import java.util.List;

/**
 * A generation task (lm-eval's {@code generate_until} with {@code exact_match}): each prompt is one user turn through
 * the chat template, the greedy reply is compared with the target.
 */
public record GenerationTask(String name, List<Item> items) implements EvalTask {

    /** A prompt and the reply that counts as right. */
    public record Item(String prompt, String target) {
        public Item {
            if (prompt == null || target == null) {
                throw new IllegalArgumentException("a generation item needs a prompt and a target");
            }
        }
    }

    public GenerationTask {
        if (items == null || items.isEmpty()) {
            throw new IllegalArgumentException("task " + name + " has no prompts");
        }
        items = List.copyOf(items);
    }

    @Override
    public int size() {
        return items.size();
    }
}

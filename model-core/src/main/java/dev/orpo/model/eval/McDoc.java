package dev.orpo.model.eval;

import java.util.List;

/**
 * One multiple-choice question: the model scores {@code " " + choice} after {@code context} for every choice.
 *
 * @param gold index of the correct choice
 */
public record McDoc(String context, List<String> choices, int gold) {
    public McDoc {
        if (context == null) {
            throw new IllegalArgumentException("context is missing");
        }
        if (choices == null || choices.isEmpty()) {
            throw new IllegalArgumentException("choices are empty");
        }
        choices = List.copyOf(choices);
        if (gold < 0 || gold >= choices.size()) {
            throw new IllegalArgumentException("gold " + gold + " is out of range for " + choices.size()
                    + " choices");
        }
    }
}

package dev.orpo.model.eval;

import java.util.List;

/**
 * A multiple-choice question already tokenized: the id-level API underneath the text one.
 *
 * @param context       context ids (not empty)
 * @param continuations ids of each choice's continuation ({@code " " + choice} as the joint's tail)
 * @param choiceLengths each choice's length in characters, the {@code acc_norm} divisor
 * @param gold          index of the correct choice
 */
public record IdMcDoc(int[] context, List<int[]> continuations, int[] choiceLengths, int gold) {
    public IdMcDoc {
        if (continuations == null || continuations.isEmpty()) {
            throw new IllegalArgumentException("question has no choices");
        }
        if (choiceLengths == null || choiceLengths.length != continuations.size()) {
            throw new IllegalArgumentException("need one character length per choice");
        }
        if (gold < 0 || gold >= continuations.size()) {
            throw new IllegalArgumentException("gold " + gold + " out of range for " + continuations.size()
                    + " choices");
        }
        continuations = List.copyOf(continuations);
    }
}

package dev.orpo.model.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One multiple-choice document as its task's rules render it (lm-eval's {@code doc_to_text}, {@code doc_to_choice},
 * {@code doc_to_target}): one log-likelihood request {@code (context, continuation)} per choice.
 *
 * @param contexts      per choice, the text the continuation follows; all equal except where the context differs per
 *                      option (Winogrande's partial scoring)
 * @param continuations per choice, the scored text, target delimiter included
 * @param choices       lm-eval's {@code doc_to_choice}: {@code acc_norm} divides by each one's length in characters
 * @param gold          indices of the right choices: one for most tasks, several where a task lists several (AGIEval)
 *                      or scores probability mass on every true answer (TruthfulQA mc2)
 * @param example       the question with its answer, as a few-shot example: text, target delimiter, gold answer
 */
public record Question(List<String> contexts, List<String> continuations, List<String> choices, List<Integer> gold,
                       String example) {
    /** lm-eval's default {@code target_delimiter}. */
    public static final String TARGET_DELIMITER = " ";

    public Question {
        contexts = List.copyOf(contexts);
        continuations = List.copyOf(continuations);
        choices = List.copyOf(choices);
        gold = List.copyOf(gold);
        if (choices.isEmpty()) {
            throw new IllegalArgumentException("no choices");
        }
        if (contexts.size() != choices.size() || continuations.size() != choices.size()) {
            throw new IllegalArgumentException("need one context and one continuation per choice");
        }
        if (gold.isEmpty()) {
            throw new IllegalArgumentException("no right answer");
        }
        for (int g : gold) {
            if (g < 0 || g >= choices.size()) {
                throw new IllegalArgumentException("gold " + g + " is out of range for " + choices.size()
                        + " choices");
            }
        }
    }

    /**
     * The usual shape: one context ({@code doc_to_text}), each choice scored as {@code " " + choice}.
     *
     * @param gold the right choices; the first is the few-shot answer
     */
    public static Question of(String text, List<String> choices, List<Integer> gold) {
        List<String> continuations = new ArrayList<>();
        choices.forEach(c -> continuations.add(TARGET_DELIMITER + c));
        return new Question(Collections.nCopies(choices.size(), text), continuations, choices, gold,
                text + TARGET_DELIMITER + choices.get(gold.get(0)));
    }

    /** {@link #of(String, List, List)} with one right choice. */
    public static Question of(String text, List<String> choices, int gold) {
        return of(text, choices, List.of(gold));
    }

    /**
     * Partial scoring (lm-eval's multiple inputs, Winogrande): each option gives its own context, and only the
     * continuation they share is scored; the choices are the contexts.
     */
    public static Question partial(List<String> contexts, String continuation, int gold) {
        if (gold < 0 || gold >= contexts.size()) {
            throw new IllegalArgumentException("gold " + gold + " is out of range for " + contexts.size() + " options");
        }
        return new Question(contexts, Collections.nCopies(contexts.size(), TARGET_DELIMITER + continuation), contexts,
                List.of(gold), contexts.get(gold) + TARGET_DELIMITER + continuation);
    }
}

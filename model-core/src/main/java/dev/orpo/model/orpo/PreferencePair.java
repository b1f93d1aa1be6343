package dev.orpo.model.orpo;

import java.util.Arrays;

/**
 * One tokenized preference pair, as TRL's ORPO tokenization leaves it: each side is its own full sequence
 * (prompt tokens then answer tokens, BOS/EOS already placed), and the first {@code *PromptLength} tokens are the prompt
 * (labels masked for the preference terms). The two prompt lengths can differ by one token when the answer start had
 * to move back because the prompt's ids were not a prefix of the joint ids.
 */
public record PreferencePair(int[] chosenInputIds, int chosenPromptLength, int[] rejectedInputIds,
                             int rejectedPromptLength) {

    public PreferencePair {
        check("chosen", chosenInputIds, chosenPromptLength);
        check("rejected", rejectedInputIds, rejectedPromptLength);
    }

    /** Sequence = prompt + answer for each side, used exactly as given (no BOS/EOS added). */
    public static PreferencePair ofIds(int[] promptIds, int[] chosenIds, int[] rejectedIds) {
        return new PreferencePair(concat(promptIds, chosenIds), promptIds.length, concat(promptIds, rejectedIds),
                promptIds.length);
    }

    public int[] chosenCompletion() {
        return Arrays.copyOfRange(chosenInputIds, chosenPromptLength, chosenInputIds.length);
    }

    public int[] rejectedCompletion() {
        return Arrays.copyOfRange(rejectedInputIds, rejectedPromptLength, rejectedInputIds.length);
    }

    private static void check(String side, int[] ids, int promptLength) {
        if (ids == null || ids.length == 0) {
            throw new IllegalArgumentException(side + " sequence is empty");
        }
        if (promptLength < 0 || promptLength >= ids.length) {
            throw new IllegalArgumentException(side + " needs at least one answer token after a prompt of "
                    + promptLength + " tokens (sequence has " + ids.length + ")");
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PreferencePair p && chosenPromptLength == p.chosenPromptLength
                && rejectedPromptLength == p.rejectedPromptLength && Arrays.equals(chosenInputIds, p.chosenInputIds)
                && Arrays.equals(rejectedInputIds, p.rejectedInputIds);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(chosenInputIds) + Arrays.hashCode(rejectedInputIds) + chosenPromptLength;
    }

    @Override
    public String toString() {
        return "PreferencePair[chosen=" + Arrays.toString(chosenInputIds) + " prompt=" + chosenPromptLength
                + ", rejected=" + Arrays.toString(rejectedInputIds) + " prompt=" + rejectedPromptLength + "]";
    }
}

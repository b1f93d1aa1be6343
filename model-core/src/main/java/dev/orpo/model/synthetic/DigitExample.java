package dev.orpo.model.synthetic;

import java.util.Arrays;

/**
 * One synthetic preference example in digit space: the chosen answer follows the task's rule applied to the prompt,
 * the rejected answer holds the same digits in an order that breaks it.
 */
public record DigitExample(int[] prompt, int[] chosen, int[] rejected) {

    public DigitExample {
        prompt = prompt.clone();
        chosen = chosen.clone();
        rejected = rejected.clone();
    }

    @Override
    public int[] prompt() {
        return prompt.clone();
    }

    @Override
    public int[] chosen() {
        return chosen.clone();
    }

    @Override
    public int[] rejected() {
        return rejected.clone();
    }

    /** Digits as text separated by spaces, e.g. {@code "3 1 4"} (for a demo with a real tokenizer). */
    public static String text(int[] digits) {
        StringBuilder s = new StringBuilder();
        for (int d : digits) {
            if (s.length() > 0) {
                s.append(' ');
            }
            s.append(d);
        }
        return s.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DigitExample e && Arrays.equals(prompt, e.prompt) && Arrays.equals(chosen, e.chosen)
                && Arrays.equals(rejected, e.rejected);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(prompt) + Arrays.hashCode(chosen)) + Arrays.hashCode(rejected);
    }

    @Override
    public String toString() {
        return "DigitExample[" + text(prompt) + " → chosen " + text(chosen) + ", rejected " + text(rejected) + "]";
    }
}

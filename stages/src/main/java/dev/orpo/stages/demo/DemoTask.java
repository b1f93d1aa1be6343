package dev.orpo.stages.demo;

import dev.orpo.model.text.ChatmlSetup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The demo's preference task, in words: the user asks {@code "sort: d b a"}, the chosen answer is
 * {@code "sorted: a b d"} (the letters in alphabetical order), the rejected answer is {@code "sorted: d b a"} (the
 * same letters in descending order: the demo base's habit, so the pairs are what its own replies would give). A tuned
 * model learns to prefer ascending, which shows in the held-out reward accuracy, in the multiple-choice task built from
 * the same rule, and in its greedy replies to held-out questions.
 */
public final class DemoTask {
    /**
     * Six letters, 3–4 per question: 480 distinct questions over 35 letter sets, each letter one token after a space;
     * small enough that the demo's 0.1 M-parameter model learns to sort in a few hundred warm-up steps (measured:
     * docs/benchmarks.md#demo).
     */
    public static final String ALPHABET = "abcdef";
    static final int MIN_LETTERS = 3;
    static final int MAX_LETTERS = 4;

    /** One question with its right answer and a wrong one. */
    public record Item(String question, String chosen, String rejected) {
    }

    private DemoTask() {
    }

    /** A random question with distinct letters in random order. */
    static char[] question(SplittableRandom rng) {
        int k = MIN_LETTERS + rng.nextInt(MAX_LETTERS - MIN_LETTERS + 1);
        char[] all = ALPHABET.toCharArray();
        shuffle(all, rng);
        return Arrays.copyOf(all, k);
    }

    /** The question's letters in an order other than the sorted one. */
    static char[] wrongOrder(char[] letters, SplittableRandom rng) {
        char[] sorted = sorted(letters);
        char[] wrong = letters.clone();
        do {
            shuffle(wrong, rng);
        } while (Arrays.equals(wrong, sorted));
        return wrong;
    }

    public static Item item(SplittableRandom rng) {
        char[] q = question(rng);
        return new Item(ask(q), answer(sorted(q)), answer(descending(q)));
    }

    /** The user's message for these letters. */
    static String ask(char[] letters) {
        return "sort: " + spaced(letters);
    }

    /** The letters in descending order. */
    static char[] descending(char[] letters) {
        char[] s = sorted(letters);
        for (int i = 0, j = s.length - 1; i < j; i++, j--) {
            char t = s[i];
            s[i] = s[j];
            s[j] = t;
        }
        return s;
    }

    /** The assistant's answer text for an order of letters. */
    static String answer(char[] order) {
        return "sorted: " + spaced(order);
    }

    static char[] sorted(char[] letters) {
        char[] s = letters.clone();
        Arrays.sort(s);
        return s;
    }

    /**
     * The MC context: the question as the chat template renders it for generation, then the answer's first word, so
     * each choice continues with {@code " a b d"} exactly as the training answers do.
     */
    static String mcContext(String question) {
        return ChatmlSetup.IM_START + "user\n" + question + ChatmlSetup.IM_END + "\n" + ChatmlSetup.IM_START
                + "assistant\nsorted:";
    }

    /** Choices for one MC question: the sorted order and {@code wrong} distinct other orders, gold at a random slot. */
    static McQuestion mcQuestion(SplittableRandom rng, int wrong) {
        char[] q = question(rng);
        List<String> choices = new ArrayList<>();
        String right = spaced(sorted(q));
        while (choices.size() < wrong) {
            String w = spaced(wrongOrder(q, rng));
            if (!choices.contains(w)) {
                choices.add(w);
            }
        }
        int gold = rng.nextInt(wrong + 1);
        choices.add(gold, right);
        return new McQuestion(ask(q), mcContext(ask(q)), choices, gold);
    }

    /** A multiple-choice question: the user's question, the context scored, the choices and the right one. */
    record McQuestion(String question, String context, List<String> choices, int gold) {
    }

    /** A generation prompt and the exact reply that is right. */
    record Generation(String prompt, String target) {
    }

    /** A random question for the generation task: the reply must be the sorted answer. */
    static Generation generation(SplittableRandom rng) {
        char[] q = question(rng);
        return new Generation(ask(q), answer(sorted(q)));
    }

    static String spaced(char[] letters) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < letters.length; i++) {
            sb.append(i == 0 ? "" : " ").append(letters[i]);
        }
        return sb.toString();
    }

    private static void shuffle(char[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            char t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}

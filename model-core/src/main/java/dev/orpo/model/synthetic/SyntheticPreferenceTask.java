package dev.orpo.model.synthetic;

import dev.orpo.model.orpo.PreferencePair;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A preference task in digit space that a LoRA can learn in a few dozen steps: the prompt is {@code length} random
 * digits of an alphabet of {@code alphabet}; the chosen answer is the {@link Rule} applied to them; the rejected
 * answer is a random rearrangement of the chosen digits that differs from it. Both answers hold the same digits, so
 * only the rule (the order) separates them: a model prefers the chosen answer exactly when it has learned the rule.
 * Fixed lengths make every pair the same number of tokens (micro-batches of equal size then accumulate to exactly
 * one large batch).
 *
 * @param rule     what the chosen answer does to the prompt
 * @param length   digits per prompt (≥ 2)
 * @param alphabet digits 0 … alphabet−1 (2 … 10 for a text rendering with one character per digit)
 */
public record SyntheticPreferenceTask(Rule rule, int length, int alphabet) {

    /** How the chosen answer derives from the prompt digits. */
    public enum Rule {
        /** Ascending order: learnable from neighbouring answer tokens alone (the easiest). */
        SORT,
        /** The prompt read backwards: needs attention to the mirrored prompt position. */
        REVERSE,
        /** Each digit plus one, modulo the alphabet: needs attention to the aligned prompt position. */
        INCREMENT;

        int[] apply(int[] prompt, int alphabet) {
            int[] out = prompt.clone();
            switch (this) {
                case SORT:
                    Arrays.sort(out);
                    return out;
                case REVERSE:
                    for (int i = 0; i < out.length; i++) {
                        out[i] = prompt[prompt.length - 1 - i];
                    }
                    return out;
                case INCREMENT:
                    for (int i = 0; i < out.length; i++) {
                        out[i] = (prompt[i] + 1) % alphabet;
                    }
                    return out;
                default:
                    throw new IllegalStateException("unhandled rule " + this);
            }
        }
    }

    /** Train and held-out examples; no prompt occurs in both. */
    public record Split(List<DigitExample> train, List<DigitExample> eval) {
        public Split {
            train = List.copyOf(train);
            eval = List.copyOf(eval);
        }

        public List<PreferencePair> trainPairs(TokenSpace space) {
            return pairs(train, space);
        }

        public List<PreferencePair> evalPairs(TokenSpace space) {
            return pairs(eval, space);
        }

        private static List<PreferencePair> pairs(List<DigitExample> examples, TokenSpace space) {
            List<PreferencePair> out = new ArrayList<>(examples.size());
            examples.forEach(e -> out.add(space.pair(e)));
            return out;
        }
    }

    public SyntheticPreferenceTask {
        if (rule == null) {
            throw new IllegalArgumentException("rule is required");
        }
        if (length < 2) {
            throw new IllegalArgumentException("length must be >= 2 digits, got " + length);
        }
        if (alphabet < 2) {
            throw new IllegalArgumentException("alphabet must be >= 2 digits, got " + alphabet);
        }
    }

    /**
     * Sort 6 decimal digits: 21-token pairs (BOS + 6 + SEP prompt, 6 + EOS answers), ~10⁶ distinct prompts, and a
     * rule the tiny model learns quickly.
     */
    public static SyntheticPreferenceTask defaults() {
        return new SyntheticPreferenceTask(Rule.SORT, 6, 10);
    }

    /** True when {@code answer} is the rule applied to {@code prompt}. */
    public boolean follows(int[] prompt, int[] answer) {
        return Arrays.equals(rule.apply(prompt, alphabet), answer);
    }

    /** The answer the rule gives for {@code prompt}. */
    public int[] answer(int[] prompt) {
        return rule.apply(prompt, alphabet);
    }

    /** {@code trainCount} + {@code evalCount} examples with distinct prompts, deterministic in {@code seed}. */
    public Split split(int trainCount, int evalCount, long seed) {
        if (trainCount < 1 || evalCount < 0) {
            throw new IllegalArgumentException("need trainCount >= 1 and evalCount >= 0, got " + trainCount + ", "
                    + evalCount);
        }
        double distinct = Math.pow(alphabet, length) - alphabet; // prompts with at least two different digits
        if (trainCount + evalCount > distinct / 2) {
            throw new IllegalArgumentException("cannot draw " + (trainCount + evalCount) + " distinct prompts from "
                    + (long) distinct + " (length " + length + ", alphabet " + alphabet + "); use longer prompts");
        }
        SplittableRandom rng = new SplittableRandom(seed);
        Set<String> seen = new HashSet<>();
        List<DigitExample> all = new ArrayList<>(trainCount + evalCount);
        while (all.size() < trainCount + evalCount) {
            DigitExample e = example(rng);
            if (seen.add(Arrays.toString(e.prompt()))) {
                all.add(e);
            }
        }
        return new Split(all.subList(0, trainCount), all.subList(trainCount, all.size()));
    }

    /** One example; prompts whose answer cannot be rearranged (all digits equal) are redrawn. */
    public DigitExample example(SplittableRandom rng) {
        while (true) {
            int[] prompt = new int[length];
            for (int i = 0; i < length; i++) {
                prompt[i] = rng.nextInt(alphabet);
            }
            if (Arrays.stream(prompt).distinct().count() < 2) {
                continue;
            }
            int[] chosen = answer(prompt);
            return new DigitExample(prompt, chosen, rearranged(chosen, rng));
        }
    }

    /** A uniformly random permutation of {@code chosen} that differs from it (Fisher–Yates, redrawn if equal). */
    private static int[] rearranged(int[] chosen, SplittableRandom rng) {
        int[] out = chosen.clone();
        do {
            for (int i = out.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = out[i];
                out[i] = out[j];
                out[j] = t;
            }
        } while (Arrays.equals(out, chosen));
        return out;
    }
}

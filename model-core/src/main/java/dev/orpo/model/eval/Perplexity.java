package dev.orpo.model.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Token-level perplexity of a text, lm-eval's rolling windows: non-overlapping chunks of the model's max length,
 * each predicted from the token just before it (the prefix token before the first), so every token is predicted
 * exactly once.
 */
public final class Perplexity {
    private Perplexity() {
    }

    /** Total log-likelihood and number of predicted tokens; {@link #perplexity()} = exp(−ll / tokens). */
    public record Result(long tokens, double loglikelihood) {
        public double perplexity() {
            return Math.exp(-loglikelihood / tokens);
        }
    }

    /**
     * @param tokens        the text's ids, no special tokens
     * @param prefixTokenId predicts the first token from this (BOS); -1: the first token is not predicted
     */
    public static Result of(LoglikelihoodScorer scorer, int[] tokens, int prefixTokenId) {
        int[] seq = prefixTokenId < 0 ? tokens : LoglikelihoodScorer.concat(new int[] {prefixTokenId}, tokens);
        if (seq.length < 2) {
            throw new IllegalArgumentException("perplexity needs at least " + (prefixTokenId < 0 ? 2 : 1)
                    + " tokens, got " + tokens.length);
        }
        List<LoglikelihoodRequest> windows = new ArrayList<>();
        int window = scorer.maxLength();
        for (int p = 1; p < seq.length; p += window) {
            int[] chunk = Arrays.copyOfRange(seq, p, Math.min(seq.length, p + window));
            windows.add(new LoglikelihoodRequest(new int[] {seq[p - 1]}, chunk));
        }
        double total = Arrays.stream(scorer.loglikelihoods(windows)).sum();
        return new Result(seq.length - 1, total);
    }
}

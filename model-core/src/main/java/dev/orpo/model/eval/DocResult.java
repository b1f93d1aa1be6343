package dev.orpo.model.eval;

import java.util.List;

/**
 * Scores of one question.
 *
 * @param loglikelihoods per choice, summed over its continuation's tokens
 * @param gold           the right choices
 * @param predicted      argmax of the log-likelihoods ({@code acc})
 * @param predictedNorm  argmax of log-likelihood / choice length in characters ({@code acc_norm})
 */
public record DocResult(double[] loglikelihoods, List<Integer> gold, int predicted, int predictedNorm) {

    /** Scores a question from its choices' log-likelihoods (ties: the first choice wins, as numpy's argmax). */
    public static DocResult of(double[] loglikelihoods, List<String> choices, List<Integer> gold) {
        int best = 0;
        int bestNorm = 0;
        for (int i = 1; i < loglikelihoods.length; i++) {
            if (loglikelihoods[i] > loglikelihoods[best]) {
                best = i;
            }
            if (norm(loglikelihoods, choices, i) > norm(loglikelihoods, choices, bestNorm)) {
                bestNorm = i;
            }
        }
        return new DocResult(loglikelihoods.clone(), List.copyOf(gold), best, bestNorm);
    }

    private static double norm(double[] ll, List<String> choices, int i) {
        String c = choices.get(i); // Python's len: code points; an empty choice counts as one
        return ll[i] / Math.max(1, c.codePointCount(0, c.length()));
    }

    public boolean correct() {
        return gold.contains(predicted);
    }

    public boolean correctNorm() {
        return gold.contains(predictedNorm);
    }

    /**
     * TruthfulQA mc2: each choice's probability exp(ll) normalized over all choices, summed over the true ones.
     * Computed with the largest log-likelihood subtracted first, which leaves the ratio unchanged.
     */
    public double trueMass() {
        double max = Double.NEGATIVE_INFINITY;
        for (double ll : loglikelihoods) {
            max = Math.max(max, ll);
        }
        double total = 0;
        double right = 0;
        for (int i = 0; i < loglikelihoods.length; i++) {
            double p = Math.exp(loglikelihoods[i] - max);
            total += p;
            if (gold.contains(i)) {
                right += p;
            }
        }
        return right / total;
    }
}

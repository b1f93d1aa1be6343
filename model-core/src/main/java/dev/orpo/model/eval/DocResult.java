package dev.orpo.model.eval;

/**
 * Scores of one question.
 *
 * @param loglikelihoods  per choice, summed over its tokens
 * @param predicted       argmax of the log-likelihoods ({@code acc})
 * @param predictedNorm   argmax of log-likelihood / choice length in characters ({@code acc_norm})
 */
public record DocResult(double[] loglikelihoods, int gold, int predicted, int predictedNorm) {

    /** Scores a question from its choices' log-likelihoods and character lengths (ties: the first choice wins). */
    public static DocResult of(double[] loglikelihoods, int[] choiceLengths, int gold) {
        int best = 0;
        int bestNorm = 0;
        for (int i = 1; i < loglikelihoods.length; i++) {
            if (loglikelihoods[i] > loglikelihoods[best]) {
                best = i;
            }
            if (norm(loglikelihoods, choiceLengths, i) > norm(loglikelihoods, choiceLengths, bestNorm)) {
                bestNorm = i;
            }
        }
        return new DocResult(loglikelihoods.clone(), gold, best, bestNorm);
    }

    private static double norm(double[] ll, int[] lengths, int i) {
        return ll[i] / Math.max(1, lengths[i]); // an empty choice counts as one character
    }

    public boolean correct() {
        return predicted == gold;
    }

    public boolean correctNorm() {
        return predictedNorm == gold;
    }
}

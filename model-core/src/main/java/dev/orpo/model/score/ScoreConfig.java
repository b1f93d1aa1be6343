package dev.orpo.model.score;

/**
 * Scoring settings.
 *
 * @param beta       λ of the odds-ratio term, TRL's {@code beta}; 0.1 is TRL's and the ORPO paper's default
 * @param promptLoss include prompt tokens in the NLL, as TRL does (true); false scores completions only
 * @param batchSize  pairs per forward pass (2 × rows); results do not depend on it, only memory and speed do
 * @param padId      id written into padding; padded positions are masked, so any valid id (default 0) gives the same
 *                   numbers
 */
public record ScoreConfig(double beta, boolean promptLoss, int batchSize, long padId) {

    /** TRL defaults: beta 0.1, prompt in the NLL; 8 pairs per pass keeps a 1B model's logits under ~1 GB at T=128. */
    public static final ScoreConfig DEFAULTS = new ScoreConfig(0.1, true, 8, 0);

    public ScoreConfig {
        if (!(beta >= 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("beta must be a finite value >= 0, got " + beta);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (padId < 0) {
            throw new IllegalArgumentException("pad id must be >= 0, got " + padId);
        }
    }
}

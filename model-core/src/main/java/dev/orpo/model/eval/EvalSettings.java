package dev.orpo.model.eval;

import dev.orpo.model.score.ScoreConfig;

/**
 * How a model is evaluated.
 *
 * @param fewShot   k-shot examples per question; zero-shot by default (EvalSpec's default)
 * @param limit     at most this many questions per task; null: all
 * @param batchSize log-likelihood requests per forward pass; 8 keeps a 1B model's logits small at short lengths,
 *                  results do not depend on it
 * @param score     ORPO scoring of preference pairs (beta etc.); TRL's defaults
 */
public record EvalSettings(FewShot fewShot, Integer limit, int batchSize, ScoreConfig score) {
    public static final EvalSettings DEFAULTS = new EvalSettings(FewShot.ZERO, null, 8, ScoreConfig.DEFAULTS);

    public EvalSettings {
        if (fewShot == null || score == null) {
            throw new IllegalArgumentException("few-shot and score settings are required");
        }
        if (limit != null && limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, got " + limit);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
    }
}

package dev.orpo.stages.prepare;

/**
 * Settings of {@link PrepareStage}.
 *
 * @param maxRejectFraction largest share of read rows that may be rejected (malformed) before the run fails;
 *                          {@link #DEFAULT_MAX_REJECT_FRACTION} because a few odd rows are normal in scraped preference
 *                          data, while one in ten points at a wrong column mapping or format
 * @param options           shard size etc.
 */
public record PrepareStageConfig(double maxRejectFraction, PrepareOptions options) {
    public static final double DEFAULT_MAX_REJECT_FRACTION = 0.1;
    public static final PrepareStageConfig DEFAULTS =
            new PrepareStageConfig(DEFAULT_MAX_REJECT_FRACTION, PrepareOptions.DEFAULTS);

    public PrepareStageConfig {
        if (!(maxRejectFraction >= 0 && maxRejectFraction <= 1)) {
            throw new IllegalArgumentException("maxRejectFraction must be in [0, 1], was " + maxRejectFraction);
        }
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
    }
}

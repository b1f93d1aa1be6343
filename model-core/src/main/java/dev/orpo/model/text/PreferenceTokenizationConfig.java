package dev.orpo.model.text;

/**
 * Length limits for {@link PreferenceTokenizer}, TRL ORPOConfig names and defaults.
 *
 * @param maxLength       longest prompt + answer sequence; 1024 = TRL's ORPOConfig default and the seed run's value
 * @param maxPromptLength longest prompt kept when a row is too long; 512 = TRL's (pre-0.29) default and the seed's
 * @param truncationMode  which end of a too-long prompt survives; KEEP_END is TRL's default for decoder-only models
 *                        (the last turns and the generation header matter most)
 */
public record PreferenceTokenizationConfig(int maxLength, int maxPromptLength, TruncationMode truncationMode) {

    public static final PreferenceTokenizationConfig DEFAULTS =
            new PreferenceTokenizationConfig(1024, 512, TruncationMode.KEEP_END);

    public PreferenceTokenizationConfig {
        if (maxLength < 2) {
            throw new IllegalArgumentException("maxLength must be at least 2, got " + maxLength);
        }
        if (maxPromptLength < 1 || maxPromptLength >= maxLength) {
            throw new IllegalArgumentException("maxPromptLength must be in [1, maxLength) = [1, " + maxLength
                    + "), got " + maxPromptLength);
        }
        if (truncationMode == null) {
            throw new IllegalArgumentException("truncationMode is required (KEEP_END or KEEP_START)");
        }
    }

    /** TRL's {@code truncation_mode}. */
    public enum TruncationMode { KEEP_END, KEEP_START }
}

package dev.orpo.model.text;

import dev.orpo.contracts.request.TrainingArgs;

/**
 * Length limits for {@link PreferenceTokenizer}, TRL ORPOConfig names and defaults.
 *
 * @param maxLength       longest prompt + answer sequence; 1024 = TRL's ORPOConfig default and the seed run's value
 * @param maxPromptLength longest prompt kept when a row is too long; 512 = TRL's (pre-0.29) default and the seed's
 * @param truncationMode  which end of a too-long prompt survives; KEEP_END is TRL's default for decoder-only models
 *                        (the last turns and the generation header matter most)
 */
public record PreferenceTokenizationConfig(int maxLength, int maxPromptLength, TruncationMode truncationMode) {

    /** The request's defaults ({@link TrainingArgs#defaults()}: the seed's 1024 / 512, TRL's keep_end). */
    public static final PreferenceTokenizationConfig DEFAULTS = of(TrainingArgs.defaults());

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

    /** A request's {@code max_length}, {@code max_prompt_length} and {@code truncation_mode}. */
    public static PreferenceTokenizationConfig of(TrainingArgs args) {
        return new PreferenceTokenizationConfig(args.maxLength(), args.maxPromptLength(),
                TruncationMode.parse(args.truncationMode()));
    }

    /** TRL's {@code truncation_mode}. */
    public enum TruncationMode {
        KEEP_END, KEEP_START;

        /** TRL's name: {@code keep_end} or {@code keep_start}. */
        public static TruncationMode parse(String name) {
            return switch (name) {
                case TrainingArgs.KEEP_END -> KEEP_END;
                case TrainingArgs.KEEP_START -> KEEP_START;
                default -> throw new IllegalArgumentException("training.truncation_mode: must be one of [keep_end, "
                        + "keep_start], was " + name);
            };
        }
    }
}

package dev.orpo.model.train;

import java.util.Locale;

/**
 * Learning-rate schedules with the formulas of transformers' {@code get_scheduler} (LambdaLR multipliers).
 * {@link #lr(int)} is the rate used by the optimizer update with 0-based index {@code step}: HF steps the scheduler
 * after each update, so the first update uses {@code lambda(0)}, which is 0 whenever there is warmup.
 *
 * @param kind        schedule shape
 * @param baseLr      peak learning rate (TrainingArguments {@code learning_rate})
 * @param warmupSteps number of warmup updates, see {@link #warmupSteps(int, double, int)}
 * @param totalSteps  total number of optimizer updates ({@code num_training_steps})
 */
public record LrSchedule(Kind kind, double baseLr, int warmupSteps, int totalSteps) {

    /** The HF scheduler types supported, by their {@code lr_scheduler_type} names. */
    public enum Kind {
        LINEAR("linear"), COSINE("cosine"), CONSTANT("constant"), CONSTANT_WITH_WARMUP("constant_with_warmup");

        private final String hfName;

        Kind(String hfName) {
            this.hfName = hfName;
        }

        public String hfName() {
            return hfName;
        }

        /** Parses an HF {@code lr_scheduler_type} name. */
        public static Kind parse(String name) {
            for (Kind k : values()) {
                if (k.hfName.equals(name == null ? null : name.toLowerCase(Locale.ROOT))) {
                    return k;
                }
            }
            throw new IllegalArgumentException("lr_scheduler_type '" + name
                    + "' is not supported; use linear, cosine, constant or constant_with_warmup");
        }
    }

    public LrSchedule {
        if (kind == null) {
            throw new IllegalArgumentException("kind is required");
        }
        if (!(baseLr >= 0) || Double.isInfinite(baseLr)) {
            throw new IllegalArgumentException("learning_rate must be finite and >= 0, got " + baseLr);
        }
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warmup_steps must be >= 0, got " + warmupSteps);
        }
        if (totalSteps < 1) {
            throw new IllegalArgumentException("num_training_steps must be >= 1, got " + totalSteps);
        }
    }

    /**
     * transformers' {@code get_warmup_steps}: an explicit {@code warmup_steps > 0} wins, otherwise
     * {@code ceil(warmup_ratio * total)}.
     */
    public static int warmupSteps(int warmupSteps, double warmupRatio, int totalSteps) {
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warmup_steps must be >= 0, got " + warmupSteps);
        }
        if (!(warmupRatio >= 0 && warmupRatio <= 1)) {
            throw new IllegalArgumentException("warmup_ratio must be in [0, 1], got " + warmupRatio);
        }
        return warmupSteps > 0 ? warmupSteps : (int) Math.ceil(totalSteps * warmupRatio);
    }

    /** Learning rate for update {@code step} (0-based). */
    public double lr(int step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        return baseLr * multiplier(step);
    }

    /** The LambdaLR factor {@code lambda(step)}. */
    public double multiplier(int step) {
        double s = step;
        double w = warmupSteps;
        switch (kind) {
            case CONSTANT:
                return 1.0;
            case CONSTANT_WITH_WARMUP:
                return step < warmupSteps ? s / Math.max(1.0, w) : 1.0;
            case LINEAR:
                if (step < warmupSteps) {
                    return s / Math.max(1, warmupSteps);
                }
                return Math.max(0.0, (totalSteps - s) / Math.max(1, totalSteps - warmupSteps));
            case COSINE:
                if (step < warmupSteps) {
                    return s / Math.max(1, warmupSteps);
                }
                double progress = (s - w) / Math.max(1, totalSteps - warmupSteps);
                // num_cycles = 0.5: half a cosine from 1 down to 0
                return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * 0.5 * 2.0 * progress)));
            default:
                throw new IllegalStateException("unhandled schedule " + kind);
        }
    }
}

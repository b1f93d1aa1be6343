package dev.orpo.model.generate;

/**
 * How the next token is chosen from the logits, applied in transformers' order: temperature, then top-k, then top-p.
 *
 * @param temperature logits are divided by it; 0 means greedy (argmax), HF's {@code do_sample=False}
 * @param topK        keep only the k most likely tokens; 0 disables it (HF's default 50 is not assumed: explicit is
 *                    clearer for a CLI)
 * @param topP        keep the smallest set of most likely tokens whose probability reaches p; 1 disables it
 * @param seed        seed of the sampler's own random generator, so a run can be repeated exactly
 */
public record SamplingConfig(double temperature, int topK, double topP, long seed) {

    /** Greedy decoding: always the most likely token (ties go to the lowest id). */
    public static final SamplingConfig GREEDY = new SamplingConfig(0, 0, 1, 0);

    public SamplingConfig {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite value >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0 (0 = off), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
    }

    public boolean greedy() {
        return temperature == 0;
    }
}

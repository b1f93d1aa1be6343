package dev.orpo.model.eval;

/**
 * k-shot prompting as lm-eval's default sampler ({@link MultipleChoice#fewShotPrefixes}).
 *
 * @param k    examples per question; 0 is zero-shot (EvalSpec's default, and the seed's suites)
 * @param seed seeds the sampler; 1234 is lm-eval's default {@code fewshot_random_seed}
 */
public record FewShot(int k, long seed) {
    public static final long LM_EVAL_SEED = 1234;
    public static final FewShot ZERO = new FewShot(0, LM_EVAL_SEED);

    public FewShot {
        if (k < 0) {
            throw new IllegalArgumentException("num_fewshot must be >= 0, got " + k);
        }
    }
}

package dev.orpo.model.eval;

/**
 * k-shot prompting: k other questions of the same task, each {@code context + " " + gold choice}, joined and followed
 * by the question with {@code "\n\n"} (lm-eval's default fewshot delimiter).
 *
 * @param k    examples per question; 0 is zero-shot (EvalSpec's default)
 * @param seed picks the examples; 1234 is lm-eval's default fewshot seed
 */
public record FewShot(int k, long seed) {
    public static final FewShot ZERO = new FewShot(0, 1234);

    public FewShot {
        if (k < 0) {
            throw new IllegalArgumentException("num_fewshot must be >= 0, got " + k);
        }
    }
}

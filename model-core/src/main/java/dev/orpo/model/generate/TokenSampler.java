package dev.orpo.model.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits (V) per a {@link SamplingConfig}: greedy argmax, or temperature → top-k → top-p
 * → a draw from the renormalised distribution, with a random generator seeded from the config.
 */
public final class TokenSampler {
    private final SamplingConfig config;
    private final SplittableRandom random;

    public TokenSampler(SamplingConfig config) {
        this.config = config;
        this.random = new SplittableRandom(config.seed());
    }

    /** The chosen token id. */
    public int pick(float[] logits) {
        if (logits.length == 0) {
            throw new IllegalArgumentException("no logits to pick from");
        }
        if (config.greedy()) {
            return argmax(logits);
        }
        // candidates sorted by logit, most likely first (stable: ties keep the lower id first)
        Integer[] order = new Integer[logits.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
        int kept = config.topK() == 0 ? order.length : Math.min(config.topK(), order.length);
        // softmax of logits / temperature over the top-k candidates
        double max = logits[order[0]] / config.temperature();
        double[] p = new double[kept];
        double total = 0;
        for (int i = 0; i < kept; i++) {
            p[i] = Math.exp(logits[order[i]] / config.temperature() - max);
            total += p[i];
        }
        // top-p: the shortest prefix whose probability reaches p (at least one token)
        double cumulative = 0;
        int nucleus = 0;
        while (nucleus < kept) {
            cumulative += p[nucleus] / total;
            nucleus++;
            if (cumulative >= config.topP()) {
                break;
            }
        }
        // draw from the renormalised nucleus
        double mass = 0;
        for (int i = 0; i < nucleus; i++) {
            mass += p[i];
        }
        double u = random.nextDouble() * mass;
        for (int i = 0; i < nucleus; i++) {
            u -= p[i];
            if (u < 0) {
                return order[i];
            }
        }
        return order[nucleus - 1];
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}

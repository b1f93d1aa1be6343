package dev.orpo.model.train;

import java.util.SplittableRandom;

/**
 * The trainer's randomness, derived from the seed and the position in training alone, so a resumed run draws exactly
 * what an uninterrupted one would: the shuffled row order of each epoch, and the seed given to the engine RNG (LoRA
 * dropout masks) before each decoder layer of each micro-batch. Per layer, not per micro-batch, so that gradient
 * checkpointing's recompute of one layer draws the same masks as its first forward pass.
 */
final class DataOrder {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private DataOrder() {
    }

    /** A permutation of {@code 0 … rows−1} for {@code epoch}, Fisher–Yates on a generator seeded by (seed, epoch). */
    static int[] shuffled(int rows, long seed, int epoch) {
        SplittableRandom rng = new SplittableRandom(mix(seed, 1 + (long) epoch));
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) {
            order[i] = i;
        }
        for (int i = rows - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** Engine seed for decoder layer {@code layer} in micro-batch {@code micro} of update {@code step} (0-based). */
    static int dropoutSeed(long seed, int step, int micro, int layer) {
        long s = mix(mix(mix(seed ^ 0x5DEECE66DL, 1 + (long) step), 1 + (long) micro), 1 + (long) layer);
        return (int) (s ^ (s >>> 32));
    }

    private static long mix(long a, long b) {
        return new SplittableRandom(a * GOLDEN + b).nextLong();
    }
}

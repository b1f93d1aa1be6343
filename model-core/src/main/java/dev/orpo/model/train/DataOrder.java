package dev.orpo.model.train;

import java.util.Arrays;
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

    /**
     * The trainer's row order for {@code epoch}: {@link #shuffled}, then {@link #groupedByLength} by {@code lengths}
     * (one per row) when {@code config} groups by length, per optimizer update's rows.
     */
    static int[] ofEpoch(TrainerConfig config, int[] lengths, int epoch) {
        int[] order = shuffled(lengths.length, config.seed(), epoch);
        return config.groupByLength() ? groupedByLength(order, lengths, config.perDeviceTrainBatchSize()
                * config.gradientAccumulationSteps()) : order;
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

    /**
     * TRL's {@code group_by_length} (transformers' {@code get_length_grouped_indices}): the epoch's shuffled order cut
     * into mega-batches of {@code mult × batch} rows, {@code mult = min(rows / (4 · batch), 50)} (at least 1), each
     * sorted by length, longest first; then the longest row of all is swapped to the very front, so the largest
     * micro-batch comes first. Consecutive micro-batches then hold rows of similar lengths (little padding), while
     * which rows meet stays random. Ties keep their shuffled order, so the result depends on the seed alone.
     *
     * @param shuffled an epoch's order ({@link #shuffled})
     * @param lengths  the length of every row, by row index
     * @param batch    rows per optimizer update (transformers passes {@code train_batch_size ·
     *                 gradient_accumulation_steps})
     */
    static int[] groupedByLength(int[] shuffled, int[] lengths, int batch) {
        int rows = shuffled.length;
        int mega = Math.max(1, Math.min(rows / (4 * batch), 50)) * batch;
        Integer[] order = new Integer[rows];
        for (int i = 0; i < rows; i++) {
            order[i] = shuffled[i];
        }
        for (int from = 0; from < rows; from += mega) {
            // stable sort: equal lengths keep their shuffled order
            Arrays.sort(order, from, Math.min(rows, from + mega), (a, b) -> Integer.compare(lengths[b], lengths[a]));
        }
        int longest = 0;
        for (int from = 0; from < rows; from += mega) {
            if (lengths[order[from]] > lengths[order[longest]]) {
                longest = from;
            }
        }
        Integer first = order[0];
        order[0] = order[longest];
        order[longest] = first;
        int[] out = new int[rows];
        for (int i = 0; i < rows; i++) {
            out[i] = order[i];
        }
        return out;
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

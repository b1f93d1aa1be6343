package dev.orpo.model.train;

import ai.djl.ndarray.types.Shape;
import dev.orpo.model.orpo.PreferenceCollator;
import dev.orpo.model.orpo.PreferencePair;

import java.util.List;

/**
 * What one epoch of {@link OrpoTrainer} computes in its config's {@code batch_layout}, without running a step: the
 * trainer's micro-batches of that epoch (same seeded order, same {@code group_by_length} grouping) and the rows ×
 * padded length each one's layout builds. For benchmarks: the padding share of the computed tokens, and how many
 * fewer tokens a layout computes than TRL's two rows.
 *
 * @param sequenceTokens tokens of the pairs' chosen and rejected sequences: TRL's two rows without padding
 * @param layoutTokens   tokens the layout computes, padding aside (two rows: {@code sequenceTokens}; prefix-shared and
 *                       packed: prompt + chosen answer + rejected answer per pair)
 * @param computedTokens rows × padded row length, summed over the epoch's micro-batches
 */
public record BatchCost(long sequenceTokens, long layoutTokens, long computedTokens) {

    /** The cost of epoch {@code epoch} (0-based) of training {@code train} with {@code config}. */
    public static BatchCost ofEpoch(TrainerConfig config, List<PreferencePair> train, int epoch) {
        if (train == null || train.isEmpty()) {
            throw new IllegalArgumentException("training data is empty");
        }
        PreferenceCollator collator = OrpoTrainer.collator(config, 0);
        int[] lengths = OrpoTrainer.layoutLengths(collator, train);
        int[] order = DataOrder.ofEpoch(config, lengths, epoch);
        long sequences = 0;
        long layout = 0;
        long computed = 0;
        int batch = config.perDeviceTrainBatchSize();
        for (int from = 0; from < order.length; from += batch) {
            List<PreferencePair> pairs = OrpoTrainer.slice(train, order, from, Math.min(from + batch, order.length));
            for (PreferencePair p : pairs) {
                sequences += p.chosenInputIds().length + p.rejectedInputIds().length;
                layout += collator.tokens(p);
            }
            Shape rows = collator.shape(pairs); // (R, T)
            computed += rows.get(0) * rows.get(1);
        }
        return new BatchCost(sequences, layout, computed);
    }

    /** Padding tokens computed: rows × length minus the layout's own tokens. */
    public long paddingTokens() {
        return computedTokens - layoutTokens;
    }

    /** Padding share of the computed tokens. */
    public double paddingShare() {
        return (double) paddingTokens() / computedTokens;
    }

    /** Computed tokens relative to TRL's two rows without padding (below 1: the layout computes fewer). */
    public double computedPerSequenceToken() {
        return (double) computedTokens / sequenceTokens;
    }
}

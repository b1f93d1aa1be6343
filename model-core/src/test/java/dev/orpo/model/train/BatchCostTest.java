package dev.orpo.model.train;

import dev.orpo.model.orpo.PreferencePair;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchCostTest {
    private static final List<PreferencePair> PAIRS = SyntheticRun.ragged(64, 11);
    private static final TrainerConfig CONFIG = SyntheticRun.fast().with("per_device_train_batch_size", "4")
            .with("gradient_accumulation_steps", "2");

    @Test
    void twoRowsCostIsTheTrainersMicroBatchesPaddedToTheirLongestSequence() {
        TrainerConfig config = CONFIG.with("batch_layout", "two_rows");
        int[] order = DataOrder.shuffled(PAIRS.size(), config.seed(), 1);
        long sequences = 0;
        long computed = 0;
        for (int from = 0; from < order.length; from += 4) {
            int longest = 0;
            for (int i = from; i < from + 4; i++) {
                PreferencePair p = PAIRS.get(order[i]);
                sequences += p.chosenInputIds().length + p.rejectedInputIds().length;
                longest = Math.max(longest, Math.max(p.chosenInputIds().length, p.rejectedInputIds().length));
            }
            computed += 2L * 4 * longest; // (2B, T)
        }
        assertEquals(new BatchCost(sequences, sequences, computed), BatchCost.ofEpoch(config, PAIRS, 1));
    }

    @Test
    void sharingComputesFewerTokensAndPackingWithGroupingLeavesTheLeastPadding() {
        BatchCost twoRows = BatchCost.ofEpoch(CONFIG.with("batch_layout", "two_rows"), PAIRS, 0);
        BatchCost shared = BatchCost.ofEpoch(CONFIG.with("batch_layout", "prefix_shared"), PAIRS, 0);
        BatchCost packed = BatchCost.ofEpoch(CONFIG.with("batch_layout", "packed"), PAIRS, 0);
        BatchCost grouped = BatchCost.ofEpoch(CONFIG.with("batch_layout", "packed").with("group_by_length", "true"),
                PAIRS, 0);
        assertEquals(twoRows.sequenceTokens(), shared.sequenceTokens());
        assertEquals(shared.layoutTokens(), packed.layoutTokens());
        assertTrue(shared.layoutTokens() < twoRows.layoutTokens(), shared + " vs " + twoRows);
        assertTrue(shared.computedTokens() < twoRows.computedTokens(), shared + " vs " + twoRows);
        assertTrue(packed.computedTokens() <= shared.computedTokens(), packed + " vs " + shared);
        assertTrue(grouped.paddingShare() < packed.paddingShare(), grouped + " vs " + packed);
        assertTrue(twoRows.paddingShare() > 0 && twoRows.computedPerSequenceToken() > 1, twoRows.toString());
    }

    @Test
    void groupingChangesOnlyTheOrderSoAnEpochHoldsTheSameTokens() {
        TrainerConfig grouped = CONFIG.with("group_by_length", "true");
        BatchCost a = BatchCost.ofEpoch(grouped, PAIRS, 0);
        assertEquals(a, BatchCost.ofEpoch(grouped, PAIRS, 0), "same seed, same batches");
        assertEquals(a.layoutTokens(), BatchCost.ofEpoch(CONFIG, PAIRS, 0).layoutTokens());
        assertThrows(IllegalArgumentException.class, () -> BatchCost.ofEpoch(CONFIG, List.of(), 0));
    }
}

package dev.orpo.model.orpo;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.llama.Attention;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PreferenceCollatorTest {

    private static final long I = PreferenceBatch.IGNORE_INDEX;

    private final List<PreferencePair> pairs = List.of(
            PreferencePair.ofIds(new int[] {5, 6}, new int[] {7}, new int[] {8, 9, 10}),
            PreferencePair.ofIds(new int[] {11}, new int[] {12, 13}, new int[] {14}));

    @Test
    void chosenRowsComeFirstThenRejectedRightPaddedToLongestSequence() {
        try (NDManager m = NDManager.newBaseManager(); PreferenceBatch b = PreferenceCollator.withPad(0).collate(pairs, m)) {
            assertEquals(2, b.pairs());
            assertEquals(5, b.length());
            assertArrayEquals(new long[] {
                    5, 6, 7, 0, 0,
                    11, 12, 13, 0, 0,
                    5, 6, 8, 9, 10,
                    11, 14, 0, 0, 0}, b.inputIds().toLongArray());
            assertArrayEquals(new long[] {
                    1, 1, 1, 0, 0,
                    1, 1, 1, 0, 0,
                    1, 1, 1, 1, 1,
                    1, 1, 0, 0, 0}, b.attentionMask().toLongArray());
            assertArrayEquals(new long[] {0, 1, 2, 3, 4}, b.positionIds().get(3).toLongArray());
        }
    }

    @Test
    void labelsMaskPromptAndPaddingWithIgnoreIndex() {
        try (NDManager m = NDManager.newBaseManager(); PreferenceBatch b = PreferenceCollator.withPad(99).collate(pairs, m)) {
            assertArrayEquals(new long[] {
                    I, I, 7, I, I,
                    I, 12, 13, I, I,
                    I, I, 8, 9, 10,
                    I, 14, I, I, I}, b.labels().toLongArray());
            assertEquals(99, b.inputIds().getLong(1, 4));
        }
    }

    /** Column 0 is −100: a row's first token has no predecessor, so no loss term reads it (TRL's shift drops it). */
    @Test
    void nllLabelsCoverWholeChosenSequenceByDefaultAndCompletionOnlyWithoutPromptLoss() {
        try (NDManager m = NDManager.newBaseManager()) {
            try (PreferenceBatch b = new PreferenceCollator(0, true).collate(pairs, m)) {
                assertArrayEquals(new long[] {I, 6, 7, I, I, I, 12, 13, I, I}, b.nllLabels().get(":2").toLongArray());
            }
            try (PreferenceBatch b = new PreferenceCollator(0, false).collate(pairs, m)) {
                assertArrayEquals(new long[] {I, I, 7, I, I, I, 12, 13, I, I}, b.nllLabels().get(":2").toLongArray());
            }
        }
    }

    @Test
    void prefixSharedRowHoldsPromptOnceThenChosenThenRejectedContinuingThePromptsPositions() {
        // pair 0 shares its first prompt token (the last prompt token starts each side's rest); pair 1's one-token
        // prompt is not shared: its two sequences sit side by side
        long c = Attention.CHOSEN;
        long r = Attention.REJECTED;
        long s = Attention.SHARED;
        try (NDManager m = NDManager.newBaseManager();
             PreferenceBatch b = new PreferenceCollator(0, true, BatchLayout.PREFIX_SHARED, 0).collate(pairs, m)) {
            assertEquals(2, b.rows());
            assertArrayEquals(new long[] {
                    5, 6, 7, 6, 8, 9, 10,
                    11, 12, 13, 11, 14, 0, 0}, b.inputIds().toLongArray());
            assertArrayEquals(new long[] {
                    0, 1, 2, 1, 2, 3, 4,
                    0, 1, 2, 0, 1, 5, 6}, b.positionIds().toLongArray());
            assertArrayEquals(new long[] {
                    s, c, c, r, r, r, r,
                    c, c, c, r, r, s, s}, b.branchIds().toLongArray());
            assertArrayEquals(new long[] {
                    0, 0, 0, 0, 0, 0, 0,
                    1, 1, 1, 1, 1, -1, -1}, b.pairIds().toLongArray());
            assertArrayEquals(new long[] {
                    I, I, 7, I, 8, 9, 10,
                    I, 12, 13, I, 14, I, I}, b.labels().toLongArray());
            assertArrayEquals(new long[] {
                    I, 6, 7, I, I, I, I,
                    I, 12, 13, I, I, I, I}, b.nllLabels().toLongArray());
            // answers: chosen sequences 0, 1; rejected sequences 2, 3
            assertArrayEquals(new long[] {
                    -1, 0, -1, 2, 2, 2,
                    1, 1, -1, 3, -1, -1}, b.answerOf().toLongArray());
            // the shared prompt token predicts for both sides' logits metrics
            assertArrayEquals(new long[] {0, 0, -1, -1, -1, -1, 1, 1, -1, -1, -1, -1}, b.chosenLogitsOf().toLongArray());
            assertArrayEquals(new long[] {0, -1, -1, 0, 0, 0, -1, -1, -1, 1, -1, -1},
                    b.rejectedLogitsOf().toLongArray());
        }
    }

    @Test
    void packedRowsHoldSeveralPairsUpToTheRowLengthEachCountingItsOwnPositions() {
        try (NDManager m = NDManager.newBaseManager()) {
            try (PreferenceBatch one = new PreferenceCollator(0, true, BatchLayout.PACKED, 12).collate(pairs, m)) {
                assertEquals(1, one.rows());
                assertArrayEquals(new long[] {5, 6, 7, 6, 8, 9, 10, 11, 12, 13, 11, 14}, one.inputIds().toLongArray());
                assertArrayEquals(new long[] {0, 1, 2, 1, 2, 3, 4, 0, 1, 2, 0, 1}, one.positionIds().toLongArray());
                assertArrayEquals(new long[] {0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1}, one.pairIds().toLongArray());
            }
            // 11 tokens: the pairs (7 and 5 tokens) no longer fit one row
            try (PreferenceBatch two = new PreferenceCollator(0, true, BatchLayout.PACKED, 11).collate(pairs, m)) {
                assertEquals(2, two.rows());
                assertEquals(7, two.length());
            }
        }
    }

    @Test
    void shapeAndTokensTellWhatCollatingComputesWithoutBuildingIt() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (PreferenceCollator c : List.of(PreferenceCollator.withPad(0),
                    new PreferenceCollator(0, true, BatchLayout.PREFIX_SHARED, 0),
                    new PreferenceCollator(0, true, BatchLayout.PACKED, 12))) {
                try (PreferenceBatch b = c.collate(pairs, m)) {
                    assertEquals(b.inputIds().getShape(), c.shape(pairs), c.layout().configName());
                    assertEquals(b.attentionMask().sum().getLong(), c.tokens(pairs.get(0)) + c.tokens(pairs.get(1)),
                            c.layout().configName());
                }
            }
        }
    }

    @Test
    void rejectsARowLengthOutsidePackingAndAnUnknownLayoutName() {
        assertThrows(IllegalArgumentException.class, () -> new PreferenceCollator(0, true, BatchLayout.TWO_ROWS, 8));
        var e = assertThrows(IllegalArgumentException.class, () -> BatchLayout.parse("three_rows"));
        assertTrue(e.getMessage().contains("two_rows | prefix_shared | packed"), e.getMessage());
        assertEquals(BatchLayout.PREFIX_SHARED, BatchLayout.parse("prefix_shared"));
    }

    @Test
    void rejectsEmptyBatchAndNegativePadId() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThrows(IllegalArgumentException.class, () -> PreferenceCollator.withPad(0).collate(List.of(), m));
        }
        assertThrows(IllegalArgumentException.class, () -> new PreferenceCollator(-1, true));
    }
}

package dev.orpo.model.orpo;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

    @Test
    void nllLabelsCoverWholeChosenSequenceByDefaultAndCompletionOnlyWithoutPromptLoss() {
        try (NDManager m = NDManager.newBaseManager()) {
            try (PreferenceBatch b = new PreferenceCollator(0, true).collate(pairs, m)) {
                assertArrayEquals(new long[] {5, 6, 7, I, I, 11, 12, 13, I, I}, b.nllLabels().toLongArray());
            }
            try (PreferenceBatch b = new PreferenceCollator(0, false).collate(pairs, m)) {
                assertArrayEquals(new long[] {I, I, 7, I, I, I, 12, 13, I, I}, b.nllLabels().toLongArray());
            }
        }
    }

    @Test
    void rejectsEmptyBatchAndNegativePadId() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThrows(IllegalArgumentException.class, () -> PreferenceCollator.withPad(0).collate(List.of(), m));
        }
        assertThrows(IllegalArgumentException.class, () -> new PreferenceCollator(-1, true));
    }
}

package dev.orpo.model.train;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataOrderTest {

    @Test
    void groupingByLengthSortsEachMegaBatchLongestFirstAndKeepsEveryRowOnce() {
        int rows = 1000;
        int batch = 2;
        int[] lengths = lengths(rows, 3);
        int[] shuffled = DataOrder.shuffled(rows, 42, 0);
        int[] grouped = DataOrder.groupedByLength(shuffled, lengths, batch);
        // a permutation of the rows
        int[] sorted = grouped.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < rows; i++) {
            assertEquals(i, sorted[i]);
        }
        // mega-batches of min(1000 / 8, 50) · 2 = 100 rows, each the shuffled window's rows, longest first
        int mega = 100;
        int globalMax = Arrays.stream(lengths).max().getAsInt();
        int swapped = 0; // the first window holding the longest row: its head is swapped with the first window's
        while (Arrays.stream(shuffled, swapped, swapped + mega).map(i -> lengths[i]).max().getAsInt() < globalMax) {
            swapped += mega;
        }
        for (int from = 0; from < rows; from += mega) {
            int[] window = Arrays.copyOfRange(shuffled, from, from + mega);
            int[] got = Arrays.copyOfRange(grouped, from, from + mega);
            int[] a = window.clone();
            int[] b = got.clone();
            Arrays.sort(a);
            Arrays.sort(b);
            if (from != 0 && from != swapped) {
                assertArrayEquals(a, b, "window at " + from);
            }
            for (int i = from + 2; i < from + mega; i++) {
                assertTrue(lengths[grouped[i - 1]] >= lengths[grouped[i]], "sorted at " + i);
            }
        }
        // the longest row of all opens the epoch
        assertEquals(globalMax, lengths[grouped[0]]);
        // the order depends on the seed alone
        assertArrayEquals(grouped, DataOrder.groupedByLength(DataOrder.shuffled(rows, 42, 0), lengths, batch));
        assertFalse(Arrays.equals(grouped, DataOrder.groupedByLength(DataOrder.shuffled(rows, 43, 0), lengths,
                batch)));
    }

    @Test
    void groupingByLengthCutsThePaddingOfPairsBatchedTogether() {
        int rows = 2000;
        int[] lengths = lengths(rows, 9);
        int[] shuffled = DataOrder.shuffled(rows, 7, 0);
        double plain = padShare(shuffled, lengths, 2);
        double grouped = padShare(DataOrder.groupedByLength(shuffled, lengths, 8), lengths, 2);
        assertTrue(plain > 0.2, "random pairs pad a lot: " + plain);
        assertTrue(grouped < 0.05, "grouped pairs pad little: " + grouped);
    }

    /** Padding share when consecutive {@code batch} rows are padded to their longest. */
    private static double padShare(int[] order, int[] lengths, int batch) {
        long computed = 0;
        long real = 0;
        for (int from = 0; from < order.length; from += batch) {
            int longest = 0;
            for (int i = from; i < from + batch; i++) {
                longest = Math.max(longest, lengths[order[i]]);
                real += lengths[order[i]];
            }
            computed += (long) longest * batch;
        }
        return 1 - (double) real / computed;
    }

    private static int[] lengths(int rows, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] out = new int[rows];
        for (int i = 0; i < rows; i++) {
            out[i] = 20 + rng.nextInt(1000);
        }
        return out;
    }
}

package dev.orpo.stages.prepare;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Expected values printed by numpy 2.4.6 (the python lines are in each test), so HF datasets' shuffle(seed) is
 * reproduced exactly.
 */
class NumpyPermutationTest {

    @Test
    void seedSequenceStateMatchesNumpy() {
        // [hex(x) for x in np.random.SeedSequence(42).generate_state(4, np.uint64)]
        assertArrayEquals(new long[] {0x9f1e2e6dcd540ab7L, 0xd57873dc79fb94b6L, 0x7d282a1b64d420b7L,
                0x336579714692d5ffL}, NumpyPermutation.seedSequenceState(42));
    }

    @Test
    void permutationOfTenWithSeed42MatchesNumpy() {
        // list(np.random.default_rng(42).permutation(10))
        assertArrayEquals(new int[] {5, 6, 0, 7, 3, 2, 4, 9, 1, 8}, NumpyPermutation.permutation(10, 42));
    }

    @Test
    void permutationOfTwentyWithSeed0MatchesNumpy() {
        // list(np.random.default_rng(0).permutation(20))
        assertArrayEquals(new int[] {4, 19, 6, 2, 13, 16, 3, 11, 10, 8, 0, 12, 7, 5, 18, 17, 14, 9, 1, 15},
                NumpyPermutation.permutation(20, 0));
    }

    @Test
    void orpoDpoMixSizedPermutationStartsLikeNumpys() {
        // list(np.random.default_rng(42).permutation(40000)[:10])
        int[] p = NumpyPermutation.permutation(40000, 42);
        assertArrayEquals(new int[] {24026, 19550, 1475, 11874, 31268, 32902, 12429, 15518, 945, 11213},
                Arrays.copyOf(p, 10));
        assertEquals(40000, Arrays.stream(p).distinct().count());
    }
}

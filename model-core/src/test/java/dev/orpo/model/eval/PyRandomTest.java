package dev.orpo.model.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Reference values from CPython 3.11 ({@code python3 -c "import random; r = random.Random(1234); ..."}), the generator
 * lm-eval's few-shot sampler uses.
 */
class PyRandomTest {

    @Test
    void rawOutputMatchesCpythonForSmallLargeAndNegativeSeeds() {
        PyRandom r = new PyRandom(1234);
        assertEquals(4150886329L, r.nextUint32());
        assertEquals(3342196574L, r.nextUint32());
        assertEquals(1892932127L, r.nextUint32());
        PyRandom zero = new PyRandom(0);
        assertEquals(3626764237L, zero.nextUint32());
        assertEquals(1654615998L, zero.nextUint32());
        PyRandom big = new PyRandom((1L << 40) + 5); // two 32-bit key words
        assertEquals(2166296868L, big.nextUint32());
        assertEquals(2220160828L, big.nextUint32());
        assertArrayEquals(new int[] {2, 5}, big.sample(7, 2));
        assertEquals(4150886329L, new PyRandom(-1234).nextUint32());
    }

    @Test
    void sampleDrawsTheSameIndicesAsCpythonFromOneGeneratorAcrossCalls() {
        // r = random.Random(1234); r.sample(range(10), 3), r.sample(range(10), 3), r.sample(range(40000), 6), ...
        PyRandom r = new PyRandom(1234);
        assertArrayEquals(new int[] {7, 1, 0}, r.sample(10, 3));
        assertArrayEquals(new int[] {1, 0, 9}, r.sample(10, 3));
        assertArrayEquals(new int[] {6450, 23241, 15519, 1142, 2019, 1038}, r.sample(40000, 6)); // set-based branch
        assertArrayEquals(new int[] {44, 82, 79, 61, 78, 59, 19, 11, 23, 14, 1, 64, 62, 31, 8, 69, 94, 85, 76, 92, 65,
            74, 5, 34, 71}, r.sample(100, 25)); // pool branch with the enlarged set size (k > 5)
        assertArrayEquals(new int[] {0, 2, 1, 3, 4}, r.sample(5, 5));
    }

    @Test
    void sampleRejectsMoreThanThePopulation() {
        assertThrows(IllegalArgumentException.class, () -> new PyRandom(1).sample(3, 4));
        assertArrayEquals(new int[0], new PyRandom(1).sample(0, 0));
    }
}

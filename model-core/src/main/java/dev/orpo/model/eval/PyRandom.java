package dev.orpo.model.eval;

import java.util.HashSet;
import java.util.Set;

/**
 * CPython's {@code random.Random} for an integer seed, as far as lm-evaluation-harness's few-shot sampler uses it:
 * the MT19937 generator seeded by {@code init_by_array} with the seed's 32-bit words, {@code getrandbits},
 * {@code _randbelow} (rejection sampling on {@code n.bit_length()} bits) and {@code sample} (a partial shuffle of a
 * copy for small populations, rejection of repeats against a set for large ones). The same seed draws the same
 * indices as Python, so a k-shot prompt here is the prompt lm-eval builds. Not thread-safe.
 */
public final class PyRandom {
    private static final int N = 624;
    private static final int M = 397;

    private final int[] mt = new int[N];
    private int index = N + 1;

    /** {@code random.Random(seed)}; negative seeds seed as their absolute value, as in Python. */
    public PyRandom(long seed) {
        long a = Math.abs(seed);
        int[] key = a >>> 32 == 0 ? new int[] {(int) a} : new int[] {(int) a, (int) (a >>> 32)};
        initByArray(key);
    }

    private void initGenrand(int s) {
        mt[0] = s;
        for (int i = 1; i < N; i++) {
            mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        }
        index = N;
    }

    private void initByArray(int[] key) {
        initGenrand(19650218);
        int i = 1;
        int j = 0;
        for (int k = Math.max(N, key.length); k > 0; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1664525)) + key[j] + j; // non-linear
            i++;
            j++;
            if (i >= N) {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if (j >= key.length) {
                j = 0;
            }
        }
        for (int k = N - 1; k > 0; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1566083941)) - i; // non-linear
            i++;
            if (i >= N) {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        mt[0] = 0x80000000; // MSB is 1, assuring a non-zero initial array
    }

    /** The next 32 random bits (MT19937's tempered output), as an unsigned value. */
    long nextUint32() {
        if (index >= N) {
            twist();
        }
        int y = mt[index++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y & 0xffffffffL;
    }

    private void twist() {
        for (int kk = 0; kk < N; kk++) {
            int y = (mt[kk] & 0x80000000) | (mt[(kk + 1) % N] & 0x7fffffff);
            mt[kk] = mt[(kk + M) % N] ^ (y >>> 1) ^ ((y & 1) == 0 ? 0 : 0x9908b0df);
        }
        index = 0;
    }

    /** {@code getrandbits(k)} for 0 ≤ k ≤ 31. */
    public int getrandbits(int k) {
        if (k < 0 || k > 31) {
            throw new IllegalArgumentException("k must be in [0, 31], got " + k);
        }
        return k == 0 ? 0 : (int) (nextUint32() >>> (32 - k));
    }

    /** {@code _randbelow(n)}: uniform in [0, n), by rejection on {@code n.bit_length()} random bits. */
    public int randbelow(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be > 0, got " + n);
        }
        int k = 32 - Integer.numberOfLeadingZeros(n);
        int r = getrandbits(k);
        while (r >= n) {
            r = getrandbits(k);
        }
        return r;
    }

    /**
     * {@code sample(range(populationSize), k)}: k distinct indices in selection order, drawn exactly as CPython 3.11
     * draws them.
     */
    public int[] sample(int populationSize, int k) {
        if (k < 0 || k > populationSize) {
            throw new IllegalArgumentException("sample larger than population or negative: k=" + k + ", n="
                    + populationSize);
        }
        int[] result = new int[k];
        long setsize = 21; // size of a small set minus size of an empty list
        if (k > 5) {
            setsize += (long) Math.pow(4, Math.ceil(Math.log(k * 3.0) / Math.log(4))); // table size for big sets
        }
        if (populationSize <= setsize) {
            int[] pool = new int[populationSize]; // an n-length list is smaller than a k-length set
            for (int i = 0; i < populationSize; i++) {
                pool[i] = i;
            }
            for (int i = 0; i < k; i++) {
                int j = randbelow(populationSize - i);
                result[i] = pool[j];
                pool[j] = pool[populationSize - i - 1]; // move the non-selected item into the vacancy
            }
        } else {
            Set<Integer> selected = new HashSet<>();
            for (int i = 0; i < k; i++) {
                int j = randbelow(populationSize);
                while (selected.contains(j)) {
                    j = randbelow(populationSize);
                }
                selected.add(j);
                result[i] = j;
            }
        }
        return result;
    }
}

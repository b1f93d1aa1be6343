package dev.orpo.stages.prepare;

/**
 * {@code numpy.random.default_rng(seed).permutation(n)}, which is what HF {@code datasets.Dataset.shuffle(seed)} uses:
 * SeedSequence(seed) → PCG64 (XSL-RR 128/64) → Fisher–Yates from the end with masked rejection sampling
 * ({@code random_interval}). Reproducing it picks the same rows as the seed notebook's
 * {@code dataset.shuffle(seed=42).select(range(N))} when no rows are filtered before.
 */
final class NumpyPermutation {

    // SeedSequence hashing constants (numpy/random/bit_generator.pyx)
    private static final int INIT_A = 0x43b0d7e5;
    private static final int MULT_A = 0x931e8875;
    private static final int INIT_B = 0x8b51f9dd;
    private static final int MULT_B = 0x58f38ded;
    private static final int MIX_MULT_L = 0xca01f9dd;
    private static final int MIX_MULT_R = 0x4973f715;
    private static final int POOL_SIZE = 4;
    // PCG64 128-bit multiplier
    private static final long MULT_HI = 0x2360ED051FC65DA4L;
    private static final long MULT_LO = 0x4385DF649FCCF645L;

    private long stateHi;
    private long stateLo;
    private final long incHi;
    private final long incLo;
    private boolean hasUint32;
    private int uinteger;

    NumpyPermutation(long seed) {
        if (seed < 0) {
            throw new IllegalArgumentException("seed must be >= 0 (numpy SeedSequence), got " + seed);
        }
        long[] s = seedSequenceState(seed);
        // pcg64_set_seed: state = (s[0] << 64) | s[1], inc = (s[2] << 64) | s[3]; then srandom
        long initHi = s[0];
        long initLo = s[1];
        long seqHi = (s[2] << 1) | (s[3] >>> 63);
        long seqLo = (s[3] << 1) | 1L;
        incHi = seqHi;
        incLo = seqLo;
        stateHi = 0;
        stateLo = 0;
        step();
        long lo = stateLo + initLo;
        stateHi = stateHi + initHi + (Long.compareUnsigned(lo, stateLo) < 0 ? 1 : 0);
        stateLo = lo;
        step();
    }

    /** A permutation of 0..n-1, as numpy returns it. */
    static int[] permutation(int n, long seed) {
        NumpyPermutation rng = new NumpyPermutation(seed);
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i >= 1; i--) {
            int j = (int) rng.interval(i);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    /** numpy random_interval(max): uniform in [0, max] by masking and rejecting. */
    long interval(long max) {
        if (max == 0) {
            return 0;
        }
        long mask = max;
        mask |= mask >>> 1;
        mask |= mask >>> 2;
        mask |= mask >>> 4;
        mask |= mask >>> 8;
        mask |= mask >>> 16;
        mask |= mask >>> 32;
        long value;
        if (max <= 0xffffffffL) {
            do {
                value = (nextUint32() & 0xffffffffL) & mask;
            } while (value > max);
        } else {
            do {
                value = nextUint64() & mask;
            } while (Long.compareUnsigned(value, max) > 0);
        }
        return value;
    }

    private int nextUint32() {
        if (hasUint32) {
            hasUint32 = false;
            return uinteger;
        }
        long next = nextUint64();
        hasUint32 = true;
        uinteger = (int) (next >>> 32);
        return (int) next;
    }

    /** Step the LCG, then XSL-RR output of the new state. */
    private long nextUint64() {
        step();
        long x = stateHi ^ stateLo;
        int rot = (int) (stateHi >>> 58);
        return Long.rotateRight(x, rot);
    }

    /** state = state · MULT + inc (mod 2^128). */
    private void step() {
        long lo = stateLo * MULT_LO;
        long hi = unsignedMultiplyHigh(stateLo, MULT_LO) + stateLo * MULT_HI + stateHi * MULT_LO;
        long newLo = lo + incLo;
        hi = hi + incHi + (Long.compareUnsigned(newLo, lo) < 0 ? 1 : 0);
        stateLo = newLo;
        stateHi = hi;
    }

    private static long unsignedMultiplyHigh(long a, long b) {
        return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
    }

    /** SeedSequence(seed).generate_state(4, uint64). */
    static long[] seedSequenceState(long seed) {
        int[] entropy = seed >>> 32 == 0 ? new int[] {(int) seed} : new int[] {(int) seed, (int) (seed >>> 32)};
        int[] pool = new int[POOL_SIZE];
        int[] hashConst = {INIT_A};
        for (int i = 0; i < POOL_SIZE; i++) {
            pool[i] = hashmix(i < entropy.length ? entropy[i] : 0, hashConst);
        }
        for (int src = 0; src < POOL_SIZE; src++) {
            for (int dst = 0; dst < POOL_SIZE; dst++) {
                if (src != dst) {
                    pool[dst] = mix(pool[dst], hashmix(pool[src], hashConst));
                }
            }
        }
        for (int src = POOL_SIZE; src < entropy.length; src++) {
            for (int dst = 0; dst < POOL_SIZE; dst++) {
                pool[dst] = mix(pool[dst], hashmix(entropy[src], hashConst));
            }
        }
        int[] words = new int[8];
        int hc = INIT_B;
        for (int i = 0; i < words.length; i++) {
            int v = pool[i % POOL_SIZE];
            v ^= hc;
            hc *= MULT_B;
            v *= hc;
            v ^= v >>> 16;
            words[i] = v;
        }
        long[] out = new long[4];
        for (int i = 0; i < 4; i++) {
            out[i] = (words[2 * i] & 0xffffffffL) | ((long) words[2 * i + 1] << 32);
        }
        return out;
    }

    private static int hashmix(int value, int[] hashConst) {
        value ^= hashConst[0];
        hashConst[0] *= MULT_A;
        value *= hashConst[0];
        value ^= value >>> 16;
        return value;
    }

    private static int mix(int x, int y) {
        int r = MIX_MULT_L * x - MIX_MULT_R * y;
        r ^= r >>> 16;
        return r;
    }
}

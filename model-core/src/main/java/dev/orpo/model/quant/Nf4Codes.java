package dev.orpo.model.quant;

/**
 * The two code books of QLoRA storage and nearest-code rounding.
 *
 * <p>NF4: 16 values, the N(0, 1) quantiles normalised to [-1, 1] with an exact zero (Dettmers et al. 2023; the
 * constants of bitsandbytes' NF4 kernels). DYNAMIC: bitsandbytes' signed 8-bit dynamic map
 * ({@link DynamicQuantization#signedMap()}), used for the double-quantized scales.
 */
public final class Nf4Codes {
    /** Index of the NF4 code 0.0 (also the padding code). */
    public static final int ZERO = 7;

    private static final float[] NF4 = {
        -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f, -0.28444138169288635f,
        -0.18477343022823334f, -0.09105003625154495f, 0.0f, 0.07958029955625534f, 0.16093020141124725f,
        0.24611230194568634f, 0.33791524171829224f, 0.44070982933044434f, 0.5626170039176941f,
        0.7229568362236023f, 1.0f};

    private static final float[] DYNAMIC = DynamicQuantization.signedTable();

    private Nf4Codes() {
    }

    /** The 16 NF4 values, ascending (a copy). */
    public static float[] nf4() {
        return NF4.clone();
    }

    /** The 256 dynamic-map values, ascending (a copy). */
    public static float[] dynamic() {
        return DYNAMIC.clone();
    }

    static float nf4(int code) {
        return NF4[code];
    }

    static float[] nf4Table() {
        return NF4;
    }

    static float[] dynamicTable() {
        return DYNAMIC;
    }

    /**
     * Index of the code nearest to {@code s} in the ascending {@code code}; on a tie the lower index (as argmin over
     * |s − code|, which is what bitsandbytes computes). Distances are fp32, as there.
     */
    static int nearest(float[] code, float s) {
        int lo = 0;
        int hi = code.length - 1;
        while (lo < hi) { // largest k with code[k] ≤ s (0 when s is below all)
            int mid = (lo + hi + 1) >>> 1;
            if (code[mid] <= s) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        int k = lo;
        while (k > 0 && code[k - 1] == code[k]) {
            k--;
        }
        // |s − c| is monotone in c on each side of s, so the nearest is code[k] or code[k+1]
        if (k + 1 < code.length && Math.abs(s - code[k + 1]) < Math.abs(s - code[k])) {
            return k + 1;
        }
        return k;
    }
}

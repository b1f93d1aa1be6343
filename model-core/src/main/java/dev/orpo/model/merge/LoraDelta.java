package dev.orpo.model.merge;

import java.util.stream.IntStream;

/** The LoRA update of one weight matrix, in fp32. */
final class LoraDelta {
    private static final int ROWS_PER_TASK = 64;

    private LoraDelta() {
    }

    /**
     * {@code W += scaling · (B @ A)} in place, with W {@code [out, in]}, A {@code [r, in]}, B {@code [out, r]},
     * all row-major. Each output row's {@code B @ A} is summed over the rank first (as PEFT's delta weight), then
     * scaled and added; row blocks run in parallel.
     */
    static void addTo(float[] w, int out, int in, float[] a, float[] b, int r, float scaling) {
        int tasks = (out + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        IntStream.range(0, tasks).parallel().forEach(t -> {
            float[] delta = new float[in];                        // (in,) one row of B @ A
            for (int o = t * ROWS_PER_TASK; o < Math.min(out, (t + 1) * ROWS_PER_TASK); o++) {
                java.util.Arrays.fill(delta, 0f);
                for (int k = 0; k < r; k++) {                     // delta = sum_k B[o,k] · A[k,:]
                    float bok = b[o * r + k];
                    int ak = k * in;
                    for (int i = 0; i < in; i++) {
                        delta[i] += bok * a[ak + i];
                    }
                }
                int row = o * in;
                for (int i = 0; i < in; i++) {                    // W[o,:] += scaling · delta
                    w[row + i] += scaling * delta[i];
                }
            }
        });
    }
}

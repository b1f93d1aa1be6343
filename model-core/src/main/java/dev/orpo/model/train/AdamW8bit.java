package dev.orpo.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.orpo.model.quant.DynamicQuantization;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW with 8-bit states, as bitsandbytes' {@code AdamW8bit} ({@code optim: adamw_8bit}, and the seed's
 * {@code paged_adamw_8bit}: paging moves states through CUDA unified memory, which a CPU has no use for). Each moment of
 * a parameter with at least {@link #MIN_8BIT_SIZE} values is stored block-wise ({@link DynamicQuantization}: one byte
 * per value plus one fp32 absmax per 256 values, about a quarter of fp32), the first with the signed dynamic map, the
 * second with the unsigned one; smaller parameters keep fp32 moments, as bitsandbytes does.
 *
 * <p>One update, per parameter, on the host in fp32 (bitsandbytes' CPU reference, {@code
 * optimizer_update_8bit_blockwise}): dequantize m and v; {@code m = β1 m + (1 − β1) g}; {@code v = β2 v + (1 − β2) g²};
 * {@code p ← p (1 − lr λ)}; {@code p ← p − lr / (1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε)}; quantize m and v again.
 * Gradients are zeroed afterwards, as {@link AdamW} does.
 */
public final class AdamW8bit implements Optimizer {
    /** This optimizer's {@code optim} name in checkpoints. */
    public static final String NAME = "adamw_8bit";
    /** Parameters with fewer values keep fp32 moments: bitsandbytes' {@code min_8bit_size} default. */
    public static final int MIN_8BIT_SIZE = 4096;
    static final String ABSMAX1 = "absmax1.";
    static final String ABSMAX2 = "absmax2.";

    private final Map<String, NDArray> params;
    private final AdamW.Config config;
    private final Map<String, Moments> moments = new LinkedHashMap<>();
    private long step;

    /** @param params trainable tensors by name (gradients must be attached); iteration order is kept */
    public AdamW8bit(Map<String, NDArray> params, AdamW.Config config) {
        if (params == null || params.isEmpty()) {
            throw new IllegalArgumentException("AdamW8bit needs at least one trainable parameter");
        }
        this.params = new LinkedHashMap<>(params);
        this.config = config;
        for (Map.Entry<String, NDArray> e : this.params.entrySet()) {
            if (!e.getValue().hasGradient()) {
                throw new IllegalArgumentException("parameter " + e.getKey() + " does not require a gradient");
            }
            moments.put(e.getKey(), new Moments(Math.toIntExact(e.getValue().size())));
        }
    }

    @Override
    public Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(params);
    }

    @Override
    public long stepCount() {
        return step;
    }

    @Override
    public void step(double lr) {
        step++;
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray p = e.getValue();
            float[] w = p.toFloatArray();
            moments.get(e.getKey()).update(w, p.getGradient().toFloatArray(), lr, step, config);
            p.set(w); // copied into the parameter's own native memory (no alias of the Java array)
            try (NDScope scope = new NDScope()) {
                p.getGradient().muli(0);
            }
        }
    }

    /**
     * {@code exp_avg.<param>} / {@code exp_avg_sq.<param>}: U8 codes (with {@code absmax1.<param>} /
     * {@code absmax2.<param>} F32 block scales) for quantized moments, F32 values for the small fp32 ones.
     */
    @Override
    public OptimizerState exportState() {
        Map<String, OptimizerState.Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> p : params.entrySet()) {
            long[] shape = p.getValue().getShape().getShape();
            Moments s = moments.get(p.getKey());
            String name = p.getKey();
            if (s.quantized()) {
                long[] blocks = {s.absmax1.length};
                tensors.put(AdamW.FIRST + name, OptimizerState.Tensor.bytes(s.codes1, shape));
                tensors.put(ABSMAX1 + name, OptimizerState.Tensor.floats(s.absmax1, blocks));
                tensors.put(AdamW.SECOND + name, OptimizerState.Tensor.bytes(s.codes2, shape));
                tensors.put(ABSMAX2 + name, OptimizerState.Tensor.floats(s.absmax2, blocks));
            } else {
                tensors.put(AdamW.FIRST + name, OptimizerState.Tensor.floats(s.m, shape));
                tensors.put(AdamW.SECOND + name, OptimizerState.Tensor.floats(s.v, shape));
            }
        }
        return new OptimizerState(step, NAME, tensors);
    }

    @Override
    public void importState(OptimizerState state) {
        if (!NAME.equals(state.optim())) {
            throw new IllegalArgumentException("optimizer state was written by " + state.optim() + ", not " + NAME);
        }
        if (state.step() < 0) {
            throw new IllegalArgumentException("optimizer state step must be >= 0, got " + state.step());
        }
        int expected = 0;
        for (Map.Entry<String, Moments> e : moments.entrySet()) {
            expected += e.getValue().load(e.getKey(), state);
        }
        if (state.tensors().size() != expected) {
            throw new IllegalArgumentException("optimizer state has " + state.tensors().size() + " tensors, this "
                    + "optimizer's parameters have " + expected + ": " + state.tensors().keySet());
        }
        step = state.step();
    }

    /** Bytes the moments of every parameter take (codes and block scales, or fp32 values). */
    public long stateBytes() {
        long bytes = 0;
        for (Moments s : moments.values()) {
            bytes += s.quantized() ? 2L * s.n + 8L * s.absmax1.length : 8L * s.n;
        }
        return bytes;
    }

    @Override
    public void close() {
        moments.clear();
    }

    /** One parameter's moments: 8-bit codes and block absmax, or fp32 values under {@link #MIN_8BIT_SIZE}. */
    private static final class Moments {
        final int n;
        byte[] codes1;
        byte[] codes2;
        float[] absmax1;
        float[] absmax2;
        float[] m;
        float[] v;

        Moments(int n) {
            this.n = n;
            if (n >= MIN_8BIT_SIZE) {
                // zero codes with zero absmax: zero moments, as bitsandbytes starts
                codes1 = new byte[n];
                codes2 = new byte[n];
                absmax1 = new float[DynamicQuantization.blocks(n)];
                absmax2 = new float[DynamicQuantization.blocks(n)];
            } else {
                m = new float[n];
                v = new float[n];
            }
        }

        boolean quantized() {
            return codes1 != null;
        }

        void update(float[] w, float[] g, double lr, long t, AdamW.Config c) {
            float[] first = quantized() ? new float[n] : m;
            float[] second = quantized() ? new float[n] : v;
            if (quantized()) {
                DynamicQuantization.dequantize(codes1, absmax1, true, first);
                DynamicQuantization.dequantize(codes2, absmax2, false, second);
            }
            float b1 = (float) c.beta1();
            float b2 = (float) c.beta2();
            float oneMinusB1 = (float) (1 - c.beta1());
            float oneMinusB2 = (float) (1 - c.beta2());
            double correction1 = 1 - Math.pow(c.beta1(), t);
            double correction2 = Math.sqrt(1 - Math.pow(c.beta2(), t));
            float decay = (float) (1 - lr * c.weightDecay());
            boolean decays = c.weightDecay() > 0;
            float eps = (float) c.eps();
            // 8-bit: m / (√v / √(1−β2ᵗ) + ε) scaled by −lr/(1−β1ᵗ); fp32 (bitsandbytes' 32-bit kernel): the same
            // quotient written m / (√v + ε √(1−β2ᵗ)) scaled by −lr √(1−β2ᵗ)/(1−β1ᵗ)
            float stepSize = (float) (quantized() ? -lr / correction1 : -lr * correction2 / correction1);
            float c2 = (float) correction2;
            float epsTerm = (float) (c.eps() * correction2);
            // fused multiply-adds where PyTorch's CPU kernels fuse (add_ with alpha, addcmul_), so the moments round
            // as in bitsandbytes' CPU reference
            for (int i = 0; i < n; i++) {
                first[i] = Math.fma(oneMinusB1, g[i], first[i] * b1);              // m = β1 m + (1−β1) g
                second[i] = Math.fma(oneMinusB2 * g[i], g[i], second[i] * b2);     // v = β2 v + (1−β2) g²
                float denom = quantized() ? (float) Math.sqrt(second[i]) / c2 + eps
                        : (float) Math.sqrt(second[i]) + epsTerm;
                if (decays) {
                    w[i] *= decay;                                                  // decoupled weight decay
                }
                w[i] += stepSize * first[i] / denom;
            }
            if (quantized()) {
                DynamicQuantization.quantize(first, true, codes1, absmax1);
                DynamicQuantization.quantize(second, false, codes2, absmax2);
            }
        }

        /** Restores this parameter's moments from {@code state}; returns how many tensors it read. */
        int load(String name, OptimizerState state) {
            String first = AdamW.FIRST + name;
            String second = AdamW.SECOND + name;
            if (quantized()) {
                codes1 = sized(state.tensor(first).bytes(first), n, first);
                codes2 = sized(state.tensor(second).bytes(second), n, second);
                absmax1 = sized(state.tensor(ABSMAX1 + name).floats(ABSMAX1 + name), absmax1.length, ABSMAX1 + name);
                absmax2 = sized(state.tensor(ABSMAX2 + name).floats(ABSMAX2 + name), absmax2.length, ABSMAX2 + name);
                return 4;
            }
            m = sized(state.tensor(first).floats(first), n, first);
            v = sized(state.tensor(second).floats(second), n, second);
            return 2;
        }

        private static byte[] sized(byte[] values, int expected, String name) {
            if (values.length != expected) {
                throw new IllegalArgumentException("optimizer state " + name + " has " + values.length
                        + " values, expected " + expected);
            }
            return values;
        }

        private static float[] sized(float[] values, int expected, String name) {
            if (values.length != expected) {
                throw new IllegalArgumentException("optimizer state " + name + " has " + values.length
                        + " values, expected " + expected);
            }
            return values;
        }
    }
}

package dev.orpo.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW with {@code torch.optim.AdamW} semantics (decoupled weight decay, bias-corrected moments), for the trainable
 * tensors of one model: {@code optim: adamw_torch}. The moments live in this optimizer's own manager, outside any per-step {@link NDScope}.
 *
 * <p>Use per step: forward + backward inside a GradientCollector (and an NDScope), close the collector, optionally
 * {@link GradientClipping#clipByGlobalNorm}, then {@link #step(double)}. DJL's collector accumulates gradients across
 * backward calls, so {@code step} zeroes them after the update.
 */
public final class AdamW implements Optimizer {
    /** This optimizer's {@code optim} name (transformers'). */
    public static final String NAME = "adamw_torch";
    static final String FIRST = "exp_avg.";
    static final String SECOND = "exp_avg_sq.";

    /**
     * Hyper-parameters; {@link #DEFAULTS} are HF TrainingArguments' ({@code adam_beta1=0.9}, {@code adam_beta2=0.999},
     * {@code adam_epsilon=1e-8}, {@code weight_decay=0.0}).
     */
    public record Config(double beta1, double beta2, double eps, double weightDecay) {
        public static final Config DEFAULTS = new Config(0.9, 0.999, 1e-8, 0.0);

        public Config {
            if (!(beta1 >= 0 && beta1 < 1)) {
                throw new IllegalArgumentException("adam_beta1 must be in [0, 1), got " + beta1);
            }
            if (!(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("adam_beta2 must be in [0, 1), got " + beta2);
            }
            if (!(eps > 0)) {
                throw new IllegalArgumentException("adam_epsilon must be > 0, got " + eps);
            }
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
                throw new IllegalArgumentException("weight_decay must be finite and >= 0, got " + weightDecay);
            }
        }
    }

    private final Map<String, NDArray> params;
    private final Config config;
    private final NDManager manager;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private long step;

    /** @param params trainable tensors by name (gradients must be attached); iteration order is kept */
    public AdamW(Map<String, NDArray> params, Config config) {
        if (params == null || params.isEmpty()) {
            throw new IllegalArgumentException("AdamW needs at least one trainable parameter");
        }
        this.params = new LinkedHashMap<>(params);
        this.config = config;
        this.manager = params.values().iterator().next().getManager().newSubManager();
        for (Map.Entry<String, NDArray> e : this.params.entrySet()) {
            NDArray p = e.getValue();
            if (!p.hasGradient()) {
                throw new IllegalArgumentException("parameter " + e.getKey() + " does not require a gradient");
            }
            NDArray first = manager.zeros(p.getShape(), p.getDataType());
            NDArray second = manager.zeros(p.getShape(), p.getDataType());
            NDScope.unregister(first, second);
            m.put(e.getKey(), first);
            v.put(e.getKey(), second);
        }
    }

    /** Number of updates applied so far (PyTorch's {@code state['step']}). */
    @Override
    public long stepCount() {
        return step;
    }

    /** The parameters this optimizer updates, by name. */
    @Override
    public Map<String, NDArray> parameters() {
        return java.util.Collections.unmodifiableMap(params);
    }

    /** Applies one AdamW update with learning rate {@code lr} to every parameter, then zeroes the gradients. */
    @Override
    public void step(double lr) {
        step++;
        double b1 = config.beta1();
        double b2 = config.beta2();
        double bias1 = 1 - Math.pow(b1, step);
        double bias2 = 1 - Math.pow(b2, step);
        double stepSize = lr / bias1;
        try (NDScope scope = new NDScope()) {
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                NDArray p = e.getValue();
                NDArray g = p.getGradient();
                NDArray first = m.get(e.getKey());
                NDArray second = v.get(e.getKey());
                // decoupled weight decay: p <- p (1 - lr λ)
                p.muli(1 - lr * config.weightDecay());
                // moments: m <- β1 m + (1-β1) g ;  v <- β2 v + (1-β2) g²
                first.muli(b1).addi(g.mul(1 - b1));
                second.muli(b2).addi(g.square().mul(1 - b2));
                // p <- p - (lr / (1-β1^t)) m / (sqrt(v) / sqrt(1-β2^t) + eps)
                NDArray denom = second.sqrt().div(Math.sqrt(bias2)).add(config.eps());
                p.subi(first.div(denom).mul(stepSize));
                g.muli(0);
            }
        }
    }

    /** The moments as {@code exp_avg.<param>} / {@code exp_avg_sq.<param>} F32 tensors (PyTorch's state names). */
    @Override
    public OptimizerState exportState() {
        Map<String, OptimizerState.Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> p : params.entrySet()) {
            long[] shape = p.getValue().getShape().getShape();
            tensors.put(FIRST + p.getKey(), OptimizerState.Tensor.floats(host(m.get(p.getKey())), shape));
            tensors.put(SECOND + p.getKey(), OptimizerState.Tensor.floats(host(v.get(p.getKey())), shape));
        }
        return new OptimizerState(step, NAME, tensors);
    }

    /** Restores a state written by {@link #exportState()} for the same parameter names and shapes. */
    @Override
    public void importState(OptimizerState state) {
        if (state.step() < 0) {
            throw new IllegalArgumentException("optimizer state step must be >= 0, got " + state.step());
        }
        if (!NAME.equals(state.optim())) {
            throw new IllegalArgumentException("optimizer state was written by " + state.optim() + ", not " + NAME);
        }
        for (String name : params.keySet()) {
            load(name, "first moment", state.tensor(FIRST + name).floats(FIRST + name), m);
            load(name, "second moment", state.tensor(SECOND + name).floats(SECOND + name), v);
        }
        for (String key : state.tensors().keySet()) {
            String name = key.startsWith(SECOND) ? key.substring(SECOND.length())
                    : key.startsWith(FIRST) ? key.substring(FIRST.length()) : key;
            if (!params.containsKey(name)) {
                throw new IllegalArgumentException("optimizer state has unknown tensor " + key);
            }
        }
        step = state.step();
    }

    private static float[] host(NDArray moment) {
        return moment.toType(DataType.FLOAT32, false).toFloatArray();
    }

    private void load(String name, String what, float[] values, Map<String, NDArray> target) {
        NDArray current = target.get(name);
        if (values == null) {
            throw new IllegalArgumentException("optimizer state lacks the " + what + " of parameter " + name);
        }
        if (values.length != current.size()) {
            throw new IllegalArgumentException("optimizer state " + what + " of " + name + " has " + values.length
                    + " values, parameter has " + current.size() + " " + current.getShape());
        }
        NDArray loaded = manager.create(values, current.getShape()).toType(current.getDataType(), false);
        NDScope.unregister(loaded);
        current.close();
        target.put(name, loaded);
    }

    @Override
    public void close() {
        manager.close();
    }
}

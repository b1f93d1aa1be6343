package dev.orpo.model.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import dev.orpo.model.tensor.ComputeDType;
import dev.orpo.model.tensor.HostArrays;

import java.util.SplittableRandom;

/**
 * The trainable low-rank update of one linear layer: {@code Δy = scaling · dropout(x) Aᵀ Bᵀ} with A [r, in] and
 * B [out, r]. A starts Kaiming-uniform like PEFT ({@code kaiming_uniform_(a=√5)}, i.e. U(−1/√in, 1/√in)) from a Java
 * RNG seeded by the config seed and the module's name, so the same seed gives bit-identical weights; B starts at zero
 * so the adapted model equals the base model before training.
 */
public final class LoraAdapter implements AutoCloseable {
    private final NDArray a;
    private final NDArray b;
    private final double scaling;
    private final float dropout;

    private LoraAdapter(NDArray a, NDArray b, double scaling, float dropout) {
        this.a = a;
        this.b = b;
        this.scaling = scaling;
        this.dropout = dropout;
        a.setRequiresGradient(true);
        b.setRequiresGradient(true);
    }

    /** A freshly initialised adapter for a layer {@code in → out}; {@code moduleKey} names the layer (seeds A). */
    public static LoraAdapter create(NDManager manager, long in, long out, LoraConfig config, String moduleKey) {
        float[] aInit = kaimingUniform(config.r() * (int) in, in, config.seed(), moduleKey);
        NDArray a = HostArrays.floats(manager, aInit, new Shape(config.r(), in));
        NDArray b = manager.zeros(new Shape(out, config.r()), ComputeDType.TYPE);
        return new LoraAdapter(a, b, config.scaling(), (float) config.dropout());
    }

    /** U(−1/√fanIn, 1/√fanIn): PyTorch's {@code kaiming_uniform_(a=√5)} bound for a [r, fanIn] weight. */
    static float[] kaimingUniform(int count, long fanIn, long seed, String moduleKey) {
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + moduleKey.hashCode());
        double bound = 1.0 / Math.sqrt(fanIn);
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
        }
        return out;
    }

    /** {@code scaling · dropout(x) Aᵀ Bᵀ}: (..., in) → (..., out). Dropout only when training. */
    public NDArray delta(NDArray x, boolean training) {
        NDArray in = training && dropout > 0 ? Dropout.dropout(x, dropout, true).singletonOrThrow() : x;
        NDArray low = Linear.linear(in, a).singletonOrThrow(); // (..., r)
        return Linear.linear(low, b).singletonOrThrow().mul(HostArrays.scalar(low, (float) scaling)); // (..., out)
    }

    public NDArray a() {
        return a;
    }

    public NDArray b() {
        return b;
    }

    public double scaling() {
        return scaling;
    }

    @Override
    public void close() {
        a.close();
        b.close();
    }
}

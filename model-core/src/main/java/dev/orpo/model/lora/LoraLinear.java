package dev.orpo.model.lora;

import ai.djl.ndarray.NDArray;

/**
 * A linear layer {@code y = x Wᵀ (+ b) + scaling · dropout(x) Aᵀ Bᵀ}: a frozen base weight (and optional frozen bias,
 * as in Qwen2's q/k/v projections) plus an optional trainable {@link LoraAdapter}.
 */
public final class LoraLinear implements AutoCloseable {
    private final FrozenWeight base;
    private final NDArray bias;
    private LoraAdapter adapter;

    /** @param bias null when the layer has none */
    public LoraLinear(FrozenWeight base, NDArray bias) {
        this.base = base;
        this.bias = bias;
        if (bias != null) {
            bias.setRequiresGradient(false);
            if (bias.getShape().dimension() != 1 || bias.getShape().get(0) != base.outFeatures()) {
                throw new IllegalArgumentException("bias shape " + bias.getShape() + " does not match "
                        + base.outFeatures() + " output features");
            }
        }
    }

    /** (..., in) → (..., out). */
    public NDArray forward(NDArray x, boolean training) {
        NDArray y = base.apply(x);
        if (bias != null) {
            y = y.add(bias);
        }
        return adapter == null ? y : y.add(adapter.delta(x, training));
    }

    /** Attaches an adapter (replacing none; a layer takes at most one). */
    public void attach(LoraAdapter newAdapter) {
        if (adapter != null) {
            throw new IllegalStateException("layer already has a LoRA adapter");
        }
        if (newAdapter.a().getShape().get(1) != base.inFeatures()
                || newAdapter.b().getShape().get(0) != base.outFeatures()) {
            throw new IllegalArgumentException("adapter A " + newAdapter.a().getShape() + " / B "
                    + newAdapter.b().getShape() + " does not fit a " + base.inFeatures() + " → " + base.outFeatures()
                    + " layer");
        }
        adapter = newAdapter;
    }

    /** The adapter, or null. */
    public LoraAdapter adapter() {
        return adapter;
    }

    public FrozenWeight base() {
        return base;
    }

    /** The frozen bias, or null. */
    public NDArray bias() {
        return bias;
    }

    @Override
    public void close() {
        base.close();
        if (bias != null) {
            bias.close();
        }
        if (adapter != null) {
            adapter.close();
        }
    }
}

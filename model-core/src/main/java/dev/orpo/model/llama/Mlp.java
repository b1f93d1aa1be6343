package dev.orpo.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.orpo.model.lora.LoraLinear;

/** SwiGLU feed-forward: {@code down(silu(gate(x)) ⊙ up(x))}. */
public final class Mlp implements AutoCloseable {
    final LoraLinear gate;
    final LoraLinear up;
    final LoraLinear down;

    public Mlp(LoraLinear gate, LoraLinear up, LoraLinear down) {
        this.gate = gate;
        this.up = up;
        this.down = down;
    }

    /** (B, T, C) → (B, T, C). */
    public NDArray forward(NDArray x, boolean training) {
        NDArray gated = gate.forward(x, training);
        NDArray g = gated.mul(Activation.sigmoid(gated)); // (B, T, I): SiLU; swish(x, 1f) would save a freed scalar
        return down.forward(g.mul(up.forward(x, training)), training);
    }

    @Override
    public void close() {
        gate.close();
        up.close();
        down.close();
    }
}

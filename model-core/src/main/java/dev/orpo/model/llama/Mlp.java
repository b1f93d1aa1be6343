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
        NDArray g = Activation.swish(gate.forward(x, training), 1f); // (B, T, I): SiLU
        return down.forward(g.mul(up.forward(x, training)), training);
    }

    @Override
    public void close() {
        gate.close();
        up.close();
        down.close();
    }
}

package dev.orpo.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.orpo.model.tensor.ComputeDType;
import dev.orpo.model.tensor.HostArrays;

/**
 * Rotary position embeddings in Hugging Face's layout ({@code rotate_half}: the two halves of each head dimension form
 * the rotated pairs), with optional Llama 3.1 {@code llama3} frequency scaling.
 */
public final class RotaryEmbedding {
    private final float[] invFreq;

    public RotaryEmbedding(LlamaConfig config) {
        this.invFreq = inverseFrequencies(config.headDim(), config.ropeTheta(), config.ropeScaling());
    }

    /** cos and sin tables for given positions, each (B, 1, T, D) so they broadcast over heads. */
    public record Tables(NDArray cos, NDArray sin) {
    }

    /** θ_i = base^(−2i/D), rescaled per the llama3 rule (transformers' {@code _compute_llama3_parameters}). */
    static float[] inverseFrequencies(int headDim, double base, LlamaConfig.RopeScaling scaling) {
        int half = headDim / 2;
        float[] inv = new float[half];
        for (int i = 0; i < half; i++) {
            // HF computes base ** (arange(0, D, 2) / D) in fp32; 1 / that, stored as fp32
            float exponent = (float) (2 * i) / headDim;
            inv[i] = (float) (1.0 / Math.pow(base, exponent));
            if (scaling != null) {
                inv[i] = (float) llama3(inv[i], scaling);
            }
        }
        return inv;
    }

    private static double llama3(double freq, LlamaConfig.RopeScaling s) {
        if (!"llama3".equals(s.type())) {
            throw new IllegalArgumentException("unsupported rope_scaling type '" + s.type() + "' (only llama3)");
        }
        double lowFreqWavelen = s.originalMaxPositionEmbeddings() / s.lowFreqFactor();
        double highFreqWavelen = s.originalMaxPositionEmbeddings() / s.highFreqFactor();
        double wavelen = 2 * Math.PI / freq;
        if (wavelen < highFreqWavelen) {
            return freq; // high frequencies: unchanged
        }
        if (wavelen > lowFreqWavelen) {
            return freq / s.factor(); // low frequencies: divided by the factor
        }
        double smooth = (s.originalMaxPositionEmbeddings() / wavelen - s.lowFreqFactor())
                / (s.highFreqFactor() - s.lowFreqFactor());
        return (1 - smooth) * freq / s.factor() + smooth * freq; // in between: interpolated
    }

    /** Tables for positionIds (B, T). */
    public Tables tables(NDArray positionIds) {
        NDArray inv = HostArrays.floats(positionIds.getManager(), invFreq, new Shape(invFreq.length)); // (D/2)
        NDArray freqs = positionIds.toType(ComputeDType.TYPE, false).expandDims(-1).mul(inv); // (B, T, D/2)
        NDArray emb = NDArrays.concat(new NDList(freqs, freqs), -1).expandDims(1); // (B, 1, T, D)
        return new Tables(emb.cos(), emb.sin());
    }

    /** x·cos + rotate_half(x)·sin for x (B, H, T, D). */
    public static NDArray apply(NDArray x, Tables t) {
        long half = x.getShape().get(3) / 2;
        NDArray x1 = x.get(new NDIndex("..., :{}", half)); // (B, H, T, D/2)
        NDArray x2 = x.get(new NDIndex("..., {}:", half)); // (B, H, T, D/2)
        NDArray rotated = NDArrays.concat(new NDList(x2.neg(), x1), -1); // (B, H, T, D)
        return x.mul(t.cos()).add(rotated.mul(t.sin()));
    }
}

package dev.orpo.model.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.orpo.model.llama.Attention;
import dev.orpo.model.llama.LlamaModel;

import java.util.Arrays;

/**
 * Decoding without a cache: every step runs the full forward pass over the whole sequence (quadratic cost). The
 * reference {@link KvCacheDecoder} is checked against.
 */
public final class RecomputeDecoder implements Decoder {
    private final LlamaModel model;
    private final NDManager manager;
    private int[] sequence = new int[0];

    public RecomputeDecoder(LlamaModel model, NDManager parent) {
        this.model = model;
        this.manager = parent.newSubManager();
    }

    @Override
    public float[] prefill(int[] promptIds) {
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("prompt is empty: generation needs at least one token");
        }
        if (sequence.length != 0) {
            throw new IllegalStateException("prefill called twice");
        }
        sequence = promptIds.clone();
        return forward();
    }

    @Override
    public float[] next(int tokenId) {
        if (sequence.length == 0) {
            throw new IllegalStateException("next called before prefill");
        }
        sequence = Arrays.copyOf(sequence, sequence.length + 1);
        sequence[sequence.length - 1] = tokenId;
        return forward();
    }

    private float[] forward() {
        int t = sequence.length;
        if (t > maxLength()) {
            throw new IllegalArgumentException("sequence of " + t + " tokens exceeds the model's " + maxLength()
                    + " positions");
        }
        try (NDScope scope = new NDScope()) {
            NDArray ids = manager.create(KvCacheDecoder.toLongs(sequence)).reshape(1, t); // (1, T)
            NDArray mask = ids.onesLike(); // (1, T) no padding
            NDArray logits = model.forward(ids, Attention.padded(mask), LlamaModel.Pass.LOGITS); // (1, T, V)
            return logits.get(0, t - 1).toFloatArray();
        }
    }

    @Override
    public int length() {
        return sequence.length;
    }

    @Override
    public int maxLength() {
        return model.config().maxPositionEmbeddings();
    }

    @Override
    public void close() {
        manager.close();
    }
}

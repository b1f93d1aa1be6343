package dev.orpo.model.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.orpo.model.llama.Attention;
import dev.orpo.model.score.CausalLm;
import dev.orpo.model.tensor.LogProbs;

import java.util.List;

/**
 * Sums log-probabilities of continuations given contexts, lm-eval style: the model reads
 * {@code (context + continuation)[-(maxLength+1):][:-1]} (left-truncated to the model's length) and the last
 * {@code len(continuation)} positions predict the continuation. Requests are right-padded into batches; padding never
 * changes a result because the model is causal.
 */
public final class LoglikelihoodScorer {
    private final CausalLm model;
    private final NDManager manager;
    private final int maxLength;
    private final int batchSize;

    /**
     * @param maxLength most tokens one forward pass reads (the model's {@code max_position_embeddings})
     * @param batchSize requests per forward pass; results do not depend on it
     */
    public LoglikelihoodScorer(CausalLm model, NDManager manager, int maxLength, int batchSize) {
        if (maxLength < 2 || batchSize < 1) {
            throw new IllegalArgumentException("max length must be >= 2 and batch size >= 1, got " + maxLength
                    + " and " + batchSize);
        }
        this.model = model;
        this.manager = manager;
        this.maxLength = maxLength;
        this.batchSize = batchSize;
    }

    public int maxLength() {
        return maxLength;
    }

    /** log p(continuation | context) of every request, in request order. */
    public double[] loglikelihoods(List<LoglikelihoodRequest> requests) {
        double[] out = new double[requests.size()];
        for (int from = 0; from < requests.size(); from += batchSize) {
            int to = Math.min(requests.size(), from + batchSize);
            scoreBatch(requests.subList(from, to), out, from);
        }
        return out;
    }

    private void scoreBatch(List<LoglikelihoodRequest> batch, double[] out, int offset) {
        int rows = batch.size();
        int[][] inputs = new int[rows][];
        int[][] targets = new int[rows][];
        int width = 0;
        for (int r = 0; r < rows; r++) {
            LoglikelihoodRequest req = batch.get(r);
            if (req.continuation().length > maxLength) {
                throw new IllegalArgumentException("continuation of " + req.continuation().length
                        + " tokens is longer than the model's " + maxLength + " positions");
            }
            int[] whole = concat(req.context(), req.continuation());
            int start = Math.max(0, whole.length - (maxLength + 1));
            inputs[r] = java.util.Arrays.copyOfRange(whole, start, whole.length - 1);
            targets[r] = java.util.Arrays.copyOfRange(whole, start + 1, whole.length);
            width = Math.max(width, inputs[r].length);
        }
        long[] ids = new long[rows * width];
        long[] mask = new long[rows * width];
        long[] labels = new long[rows * width];
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < inputs[r].length; t++) {
                ids[r * width + t] = inputs[r][t];
                mask[r * width + t] = 1;
                labels[r * width + t] = targets[r][t];
            }
        }
        float[] logps;
        try (NDScope scope = new NDScope()) {
            NDArray idArray = manager.create(ids).reshape(rows, width); // (R, T)
            NDArray maskArray = manager.create(mask).reshape(rows, width); // (R, T)
            NDArray logits = model.logits(idArray, Attention.padded(maskArray)); // (R, T, V)
            logps = LogProbs.ofTargets(logits, manager.create(labels).reshape(rows, width)) // (R, T)
                    .toFloatArray();
        }
        for (int r = 0; r < rows; r++) {
            int len = inputs[r].length;
            int cont = batch.get(r).continuation().length;
            double sum = 0;
            for (int t = len - cont; t < len; t++) {
                sum += logps[r * width + t];
            }
            out[offset + r] = sum;
        }
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

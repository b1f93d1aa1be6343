package dev.orpo.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.orpo.model.llama.LmHead;
import dev.orpo.model.orpo.OrpoLoss;
import dev.orpo.model.orpo.OrpoOutput;
import dev.orpo.model.orpo.PreferenceBatch;
import dev.orpo.model.tensor.HostArrays;

import java.util.function.IntFunction;

/**
 * The LM head and ORPO loss without ever holding the (2B, T, V) logits: the N = 2B·(T-1) predicting positions are
 * projected {@code chunk} at a time, outside autograd, and the head's gradient is written by hand (as Liger's fused
 * linear cross-entropy does). With {@code z} the final-norm hidden states, {@code W} the [V, C] head and
 * {@code G = ∂(L/n)/∂ log p(label)} per position (from {@link OrpoLoss#fromTokenLogps} on small leaf arrays):
 * <pre>
 *   ∂/∂logits = Σ_labels G · onehot(label) − (Σ_labels G) · softmax(logits)
 *   ∂/∂z = (∂/∂logits) · W            ∂/∂W = (∂/∂logits)ᵀ · z
 * </pre>
 * and {@code backward(sum(z ⊙ ∂z) + sum(W ⊙ ∂W))} with the right-hand factors constant pushes exactly those gradients
 * into the graph that produced {@code z} (and into {@code W} when it trains). Logits exist one chunk at a time.
 */
public final class ChunkedHead {

    private ChunkedHead() {
    }

    /** Per-position results of the no-graph pass: (2B, T-1) each, chosen rows first. */
    private record Gathered(NDArray labelLogp, NDArray nllLogp, NDArray logitSum) {
    }

    /** Loss and metrics without gradients (evaluation): {@code z} (2B, T, C) final-norm hidden states. */
    public static OrpoOutput forward(NDArray z, LmHead head, PreferenceBatch batch, double beta, int chunk) {
        Layout layout = new Layout(z, batch, chunk);
        Gathered g = gather(layout, head.weight());
        int b = batch.pairs();
        return OrpoLoss.fromTokenLogps(g.labelLogp, g.nllLogp.get(new NDIndex(":{}", b)), g.logitSum,
                head.weight().getShape().get(0), batch, beta);
    }

    /**
     * Inside {@code collector}: computes the ORPO loss of {@code z}'s logits and adds the gradients of {@code L / n}
     * to everything {@code z} depends on (and to the head's weight when it trains).
     *
     * @param z (2B, T, C) final-norm hidden states, part of the autograd graph
     * @return the loss (before the 1/n) and TRL's metrics
     */
    public static MicroBatchStep.Result backward(GradientCollector collector, NDArray z, LmHead head,
                                                 PreferenceBatch batch, double beta, int n, int chunk) {
        Layout layout = new Layout(z, batch, chunk);
        NDArray w = head.weight(); // (V, C)
        int b = batch.pairs();
        long positions = batch.length() - 1L;

        // pass 1, no graph: log p(label), log p(nll label) and the logit sums, chunk by chunk
        Gathered gathered = gather(layout, w);

        // the ORPO objective on small leaves: G = ∂(L/n)/∂ log p per position
        NDArray labelLeaf = gathered.labelLogp.duplicate(); // (2B, T-1)
        NDArray nllLeaf = gathered.nllLogp.get(new NDIndex(":{}", b)).duplicate(); // (B, T-1)
        labelLeaf.setRequiresGradient(true);
        nllLeaf.setRequiresGradient(true);
        OrpoOutput out = OrpoLoss.fromTokenLogps(labelLeaf, nllLeaf, gathered.logitSum, w.getShape().get(0), batch,
                beta);
        collector.backward(out.loss().div(HostArrays.scalar(out.loss(), n))); // native-owned scalar: kept by autograd
        NDArray gLabel = labelLeaf.getGradient().reshape(layout.rows); // (N)
        NDArray gNll = NDArrays.concat(new NDList(nllLeaf.getGradient(),
                z.getManager().zeros(new Shape(b, positions), gLabel.getDataType())), 0).reshape(layout.rows); // (N)
        MicroBatchStep.Result result = new MicroBatchStep.Result(out.lossValue(), out.metrics());

        // pass 2, no graph: recompute each chunk's softmax, ∂z and (when W trains) ∂W
        boolean headTrains = head.trainable();
        NDArray dw = headTrains ? z.getManager().zeros(w.getShape(), w.getDataType()) : null; // (V, C)
        NDArray dz;
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            NDArray dzRows = layout.concat(i -> {
                NDArray zc = layout.hidden(i); // (m, C)
                NDArray logits = Linear.linear(zc, w).singletonOrThrow(); // (m, V)
                NDArray p = logits.softmax(-1); // (m, V)
                logits.close(); // at most two (m, V) arrays at a time
                NDArray gl = layout.slice(gLabel, i).expandDims(1); // (m, 1)
                NDArray gn = layout.slice(gNll, i).expandDims(1); // (m, 1)
                // ∂/∂logits = G_label·onehot(label) + G_nll·onehot(nll label) − (G_label + G_nll)·p
                NDArray dlogits = p.muli(gl.add(gn).neg()); // (m, V)
                dlogits = addAt(dlogits, layout.slice(layout.labels, i).expandDims(1), gl); // (m, V)
                dlogits = addAt(dlogits, layout.slice(layout.nllLabels, i).expandDims(1), gn); // (m, V)
                if (headTrains) {
                    dw.addi(dlogits.transpose().matMul(zc)); // (V, C)
                }
                return dlogits.matMul(w); // (m, C)
            });
            NDArray dzShifted = dzRows.reshape(2L * b, positions, z.getShape().get(2)); // (2B, T-1, C)
            // the last position predicts nothing: its gradient is zero
            dz = NDArrays.concat(new NDList(dzShifted, z.getManager().zeros(new Shape(2L * b, 1,
                    z.getShape().get(2)), z.getDataType())), 1); // (2B, T, C)
        } finally {
            JniUtils.setGradMode(gradMode);
        }

        // inject: ∂/∂z of sum(z ⊙ dz) is dz exactly (dz constant); likewise for W
        NDArray surrogate = z.mul(dz).sum();
        if (headTrains) {
            surrogate = surrogate.add(w.mul(dw).sum());
        }
        collector.backward(surrogate);
        return result;
    }

    /**
     * {@code a[r, index[r]] += value[r]} for every row, returning the result and closing {@code a}; applied once per
     * label kind, so a position whose label and SFT label coincide gets both terms.
     *
     * @param a     (m, V)
     * @param index (m, 1) token ids
     * @param value (m, 1)
     */
    private static NDArray addAt(NDArray a, NDArray index, NDArray value) {
        NDArray updated = a.scatter(index, a.gather(index, 1).add(value), 1); // (m, V)
        a.close();
        return updated;
    }

    /** Pass 1 without a graph: per-position gathered log-probs and logit sums, (2B, T-1) each. */
    private static Gathered gather(Layout layout, NDArray w) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            NDArray[] parts = new NDArray[3];
            NDArray packed = layout.concat(i -> {
                NDArray logits = Linear.linear(layout.hidden(i), w).singletonOrThrow(); // (m, V)
                NDArray sum = logits.sum(new int[] {1}, true); // (m, 1)
                NDArray logp = logits.logSoftmax(-1); // (m, V)
                logits.close(); // at most two (m, V) arrays at a time
                NDArray label = logp.gather(layout.slice(layout.labels, i).expandDims(-1), -1); // (m, 1)
                NDArray nll = logp.gather(layout.slice(layout.nllLabels, i).expandDims(-1), -1); // (m, 1)
                return NDArrays.concat(new NDList(label, nll, sum), 1); // (m, 3)
            }); // (N, 3)
            Shape rows = new Shape(2L * layout.pairs, layout.positions);
            for (int k = 0; k < 3; k++) {
                parts[k] = packed.get(new NDIndex(":, {}", k)).reshape(rows); // (2B, T-1)
            }
            return new Gathered(parts[0], parts[1], parts[2]);
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** The N = 2B·(T-1) predicting positions as flat rows, their labels, and their split into chunks. */
    private static final class Layout {
        final int pairs;
        final long positions;
        final long rows;
        final long chunk;
        final NDArray flatHidden; // (N, C), detached
        final NDArray labels; // (N) label ids, ignored ones read as 0
        final NDArray nllLabels; // (N) SFT label ids of the chosen rows, rejected rows and ignored ones read as 0

        Layout(NDArray z, PreferenceBatch batch, int chunk) {
            if (chunk < 1) {
                throw new IllegalArgumentException("logits_chunk_size must be >= 1 for a chunked head, got " + chunk);
            }
            pairs = batch.pairs();
            positions = batch.length() - 1L;
            rows = 2L * pairs * positions;
            Shape expected = new Shape(2L * pairs, batch.length());
            if (z.getShape().dimension() != 3 || !z.getShape().slice(0, 2).equals(expected)) {
                throw new IllegalArgumentException("hidden states must have shape (2B, T, C) = " + expected
                        + " + (C), got " + z.getShape());
            }
            this.chunk = chunk;
            long c = z.getShape().get(2);
            flatHidden = z.stopGradient().get(new NDIndex(":, :{}, :", positions)).reshape(rows, c); // (N, C)
            NDManager m = z.getManager();
            NDArray nll = NDArrays.concat(new NDList(batch.nllLabels(),
                    m.full(batch.nllLabels().getShape(), PreferenceBatch.IGNORE_INDEX, DataType.INT64)), 0); // (2B, T)
            labels = safe(batch.labels()).get(new NDIndex(":, 1:")).reshape(rows); // (N)
            nllLabels = safe(nll).get(new NDIndex(":, 1:")).reshape(rows); // (N)
        }

        /** Ignored labels (-100) → token 0; their gradients are zero, their log-probs are masked. */
        private static NDArray safe(NDArray labels) {
            return labels.mul(labels.neq(PreferenceBatch.IGNORE_INDEX).toType(DataType.INT64, false));
        }

        int chunks() {
            return (int) ((rows + chunk - 1) / chunk);
        }

        NDArray slice(NDArray flat, int i) {
            return flat.get(new NDIndex("{}:{}", i * chunk, Math.min(rows, (i + 1) * chunk)));
        }

        NDArray hidden(int i) {
            return slice(flatHidden, i); // (m, C)
        }

        /** Runs {@code perChunk} on each chunk in its own scope (its (m, V) temporaries freed at once); concat rows. */
        NDArray concat(IntFunction<NDArray> perChunk) {
            NDList results = new NDList(chunks());
            for (int i = 0; i < chunks(); i++) {
                NDArray r;
                try (NDScope chunkScope = new NDScope()) {
                    r = perChunk.apply(i);
                    NDScope.unregister(r);
                }
                NDScope.register(r);
                results.add(r);
            }
            return results.size() == 1 ? results.get(0) : NDArrays.concat(results, 0);
        }
    }
}

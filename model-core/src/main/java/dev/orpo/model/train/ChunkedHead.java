package dev.orpo.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
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
 * The LM head and ORPO loss without ever holding the (R, T, V) logits: the N = R·(T-1) predicting positions are
 * projected {@code chunk} at a time, outside autograd, and the head's gradient is written by hand (as Liger's fused
 * linear cross-entropy does). With {@code z} the final-norm hidden states, {@code W} the [V, C] head and
 * {@code G = ∂(L/n)/∂ log p(next token)} per position (from {@link OrpoLoss#fromTokenLogps} on a small leaf array):
 * <pre>
 *   ∂/∂logits = G · (onehot(next token) − softmax(logits))
 *   ∂/∂z = (∂/∂logits) · W            ∂/∂W = (∂/∂logits)ᵀ · z
 * </pre>
 * and {@code backward(sum(z ⊙ ∂z) + sum(W ⊙ ∂W))} with the right-hand factors constant pushes exactly those gradients
 * into the graph that produced {@code z} (and into {@code W} when it trains). Logits exist one chunk at a time.
 */
public final class ChunkedHead {

    private ChunkedHead() {
    }

    /** Per-position results of the no-graph pass: (R, T-1) each. */
    private record Gathered(NDArray tokenLogp, NDArray logitSum) {
    }

    /** Loss and metrics without gradients (evaluation): {@code z} (R, T, C) final-norm hidden states. */
    public static OrpoOutput forward(NDArray z, LmHead head, PreferenceBatch batch, double beta, int chunk) {
        Gathered g = gather(new Layout(z, batch, chunk), head.weight());
        return OrpoLoss.fromTokenLogps(g.tokenLogp, g.logitSum, head.weight().getShape().get(0), batch, beta);
    }

    /**
     * Inside {@code collector}: computes the ORPO loss of {@code z}'s logits and adds the gradients of {@code L / n}
     * to everything {@code z} depends on (and to the head's weight when it trains).
     *
     * @param z (R, T, C) final-norm hidden states, part of the autograd graph
     * @return the loss (before the 1/n) and TRL's metrics
     */
    public static MicroBatchStep.Result backward(GradientCollector collector, NDArray z, LmHead head,
                                                 PreferenceBatch batch, double beta, int n, int chunk) {
        Layout layout = new Layout(z, batch, chunk);
        NDArray w = head.weight(); // (V, C)

        // pass 1, no graph: log p(next token) and the logit sums, chunk by chunk
        Gathered gathered = gather(layout, w);

        // the ORPO objective on a small leaf: G = ∂(L/n)/∂ log p per position
        NDArray leaf = gathered.tokenLogp.duplicate(); // (R, T-1)
        leaf.setRequiresGradient(true);
        OrpoOutput out = OrpoLoss.fromTokenLogps(leaf, gathered.logitSum, w.getShape().get(0), batch, beta);
        collector.backward(out.loss().div(HostArrays.scalar(out.loss(), n))); // native-owned scalar: kept by autograd
        NDArray g = leaf.getGradient().reshape(layout.rows); // (N)
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
                NDArray gc = layout.slice(g, i).expandDims(1); // (m, 1)
                // ∂/∂logits = G·onehot(next token) − G·p
                NDArray dlogits = p.muli(gc.neg()); // (m, V)
                NDArray next = layout.slice(layout.targets, i).expandDims(1); // (m, 1)
                NDArray updated = dlogits.scatter(next, dlogits.gather(next, 1).add(gc), 1); // (m, V)
                dlogits.close();
                if (headTrains) {
                    dw.addi(updated.transpose().matMul(zc)); // (V, C)
                }
                return updated.matMul(w); // (m, C)
            });
            long r = z.getShape().get(0);
            long c = z.getShape().get(2);
            NDArray dzShifted = dzRows.reshape(r, layout.positions, c); // (R, T-1, C)
            // the last position predicts nothing: its gradient is zero
            dz = NDArrays.concat(new NDList(dzShifted, z.getManager().zeros(new Shape(r, 1, c), z.getDataType())),
                    1); // (R, T, C)
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

    /** Pass 1 without a graph: per-position log-probs of the next token and logit sums, (R, T-1) each. */
    private static Gathered gather(Layout layout, NDArray w) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            NDArray packed = layout.concat(i -> {
                NDArray logits = Linear.linear(layout.hidden(i), w).singletonOrThrow(); // (m, V)
                NDArray sum = logits.sum(new int[] {1}, true); // (m, 1)
                NDArray logp = logits.logSoftmax(-1); // (m, V)
                logits.close(); // at most two (m, V) arrays at a time
                NDArray token = logp.gather(layout.slice(layout.targets, i).expandDims(-1), -1); // (m, 1)
                return NDArrays.concat(new NDList(token, sum), 1); // (m, 2)
            }); // (N, 2)
            Shape predicting = layout.predicting;
            return new Gathered(packed.get(new NDIndex(":, 0")).reshape(predicting),
                    packed.get(new NDIndex(":, 1")).reshape(predicting));
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** The N = R·(T-1) predicting positions as flat rows, their next tokens, and their split into chunks. */
    private static final class Layout {
        final Shape predicting; // (R, T-1)
        final long positions;
        final long rows;
        final long chunk;
        final NDArray flatHidden; // (N, C), detached
        final NDArray targets; // (N) the token each position predicts

        Layout(NDArray z, PreferenceBatch batch, int chunk) {
            if (chunk < 1) {
                throw new IllegalArgumentException("logits_chunk_size must be >= 1 for a chunked head, got " + chunk);
            }
            Shape expected = batch.inputIds().getShape();
            if (z.getShape().dimension() != 3 || !z.getShape().slice(0, 2).equals(expected)) {
                throw new IllegalArgumentException("hidden states must have shape (R, T) = " + expected
                        + " + (C), got " + z.getShape());
            }
            predicting = batch.answerOf().getShape();
            positions = batch.length() - 1L;
            rows = predicting.size();
            this.chunk = chunk;
            long c = z.getShape().get(2);
            flatHidden = z.stopGradient().get(new NDIndex(":, :{}, :", positions)).reshape(rows, c); // (N, C)
            targets = batch.inputIds().get(new NDIndex(":, 1:")).reshape(rows); // (N)
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

package dev.orpo.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.orpo.OrpoLoss;
import dev.orpo.model.orpo.OrpoOutput;
import dev.orpo.model.orpo.PreferenceBatch;
import dev.orpo.model.tensor.HostArrays;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Forward and backward of one micro-batch: adds the gradients of {@code L_ORPO / n} to the model's trainable tensors
 * (they accumulate across calls; the optimizer zeroes them). Two ways, with equal gradients:
 * <ul>
 *   <li>plain: one autograd graph over the whole model, so every layer's activations (and, with an NF4 base, its
 *       dequantized weights) live until the backward pass;</li>
 *   <li>{@link Options#gradientCheckpointing}: per decoder layer (transformers' {@code gradient_checkpointing}, which
 *       PEFT's {@code prepare_model_for_kbit_training} turns on for QLoRA). A first pass without a graph keeps only each
 *       layer's input; the backward pass then recomputes one layer at a time with a graph and pushes the gradient
 *       through it, so at most one layer's activations exist at once, at the cost of a second forward.</li>
 * </ul>
 * Either way the top (LM head, ORPO loss) runs on full logits, or, with a logits chunk size, through
 * {@link ChunkedHead}, which never keeps more than one chunk of logits.
 * DJL has no custom autograd function, so the chain rule between layers is done here: with {@code h_l} the input of
 * layer {@code l} and {@code g_l = ∂L/∂h_l}, layer {@code l}'s parameters get their gradient from
 * {@code backward(sum(layer_l(h_l) ⊙ g_{l+1}))} and {@code g_l} is the gradient that lands on the leaf {@code h_l}.
 *
 * <p>Call inside an {@link NDScope} with no {@link GradientCollector} open; the batch's arrays belong to the caller.
 */
public final class MicroBatchStep {

    /** What a step leaves on the host: the loss value (before the 1/n) and TRL's logged metrics. */
    public record Result(double loss, Map<String, Double> metrics) {
    }

    /**
     * How a step runs.
     *
     * @param beta                  λ, the odds-ratio weight (TRL's {@code beta})
     * @param n                     micro-batches per update: the step adds the gradient of {@code loss / n}
     * @param gradientCheckpointing recompute each decoder layer in the backward pass
     * @param logitsChunkSize       &gt; 0: the LM head and loss run that many positions at a time ({@link ChunkedHead});
     *                              0: on full logits
     * @param beforeLayer           called with each layer's index right before the layer runs, in both passes of a
     *                              checkpointed step: the trainer seeds the engine RNG there, so the recompute draws
     *                              the same LoRA dropout masks as the first pass
     */
    public record Options(double beta, int n, boolean gradientCheckpointing, int logitsChunkSize,
                          IntConsumer beforeLayer) {
        public Options {
            if (n < 1) {
                throw new IllegalArgumentException("n (micro-batches per update) must be >= 1, got " + n);
            }
            if (logitsChunkSize < 0) {
                throw new IllegalArgumentException("logits chunk size must be >= 0 (0 = full logits), got "
                        + logitsChunkSize);
            }
        }

        /** A plain step on full logits, no hook. */
        public static Options of(double beta, int n) {
            return new Options(beta, n, false, 0, layer -> { });
        }

        public Options withGradientCheckpointing(boolean on) {
            return new Options(beta, n, on, logitsChunkSize, beforeLayer);
        }

        public Options withLogitsChunkSize(int chunk) {
            return new Options(beta, n, gradientCheckpointing, chunk, beforeLayer);
        }

        public Options beforeEachLayer(IntConsumer hook) {
            return new Options(beta, n, gradientCheckpointing, logitsChunkSize, hook);
        }
    }

    private MicroBatchStep() {
    }

    /** One forward and backward of {@code batch}, as {@code options} say. */
    public static Result run(LlamaModel model, PreferenceBatch batch, Options options) {
        return options.gradientCheckpointing() ? checkpointed(model, batch, options) : plain(model, batch, options);
    }

    /** One graph over the whole model, one backward of {@code loss / n}. */
    private static Result plain(LlamaModel model, PreferenceBatch batch, Options o) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray z = model.forward(batch.inputIds(), batch.attention(),
                    LlamaModel.Pass.HIDDEN.beforeEachLayer(o.beforeLayer())); // (R, T, C)
            return headAndLoss(collector, z, model, batch, o);
        }
    }

    /**
     * The top of the step from the final-norm hidden states {@code z} (R, T, C): LM head and ORPO loss, full or
     * chunked, and the backward of {@code loss / n} into everything {@code z} depends on.
     */
    private static Result headAndLoss(GradientCollector collector, NDArray z, LlamaModel model, PreferenceBatch batch,
                                      Options o) {
        if (o.logitsChunkSize() > 0) {
            return ChunkedHead.backward(collector, z, model.lmHead(), batch, o.beta(), o.n(), o.logitsChunkSize());
        }
        OrpoOutput out = OrpoLoss.compute(model.lmHead().logits(z), batch, o.beta());
        // 1/n so n accumulated micro-batches equal one batch; a native-owned scalar, kept by autograd
        collector.backward(out.loss().div(HostArrays.scalar(out.loss(), o.n())));
        return new Result(out.lossValue(), out.metrics());
    }

    /** Gradient checkpointing per decoder layer: the same gradients as {@link #plain}, one layer's graph at a time. */
    private static Result checkpointed(LlamaModel model, PreferenceBatch batch, Options o) {
        int layers = model.layers().size();
        boolean embedTrains = model.embedding().trainable();
        LlamaModel.LayerInputs in = model.layerInputs(batch.attention());
        // pass 1 without a graph: h_0 = embed(ids), h_{l+1} = layer_l(h_l); keep every h_l, (R, T, C) each
        List<NDArray> h = new ArrayList<>(layers + 1);
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            h.add(model.embedding().lookup(batch.inputIds())); // (R, T, C)
            for (int l = 0; l < layers; l++) {
                o.beforeLayer().accept(l);
                NDArray next;
                try (NDScope layerScope = new NDScope()) {
                    next = model.layers().get(l).forward(h.get(l), in, null, model.training()); // (R, T, C)
                    NDScope.unregister(next);
                }
                NDScope.register(next); // the caller's scope frees it if anything below throws
                h.add(next);
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            // top: h_L as a leaf → final norm → head and loss; backward(loss / n) gives g_L = ∂(L/n)/∂h_L
            Result result;
            NDArray g;
            try (NDScope topScope = new NDScope()) {
                NDArray last = h.get(layers);
                last.setRequiresGradient(true);
                result = headAndLoss(collector, model.norm().forward(last), model, batch, o);
                g = last.getGradient(); // (R, T, C)
                NDScope.unregister(g);
            }
            NDScope.register(g);
            h.remove(layers).close();
            // layers top-down: recompute layer l from the leaf h_l, backward(sum(y ⊙ g_{l+1})) → g_l on the leaf
            for (int l = layers - 1; l >= 0; l--) {
                boolean needInputGradient = l > 0 || embedTrains;
                NDArray x = h.get(l);
                NDArray inputGradient = null;
                try (NDScope layerScope = new NDScope()) {
                    if (needInputGradient) { // a frozen embedding needs no g_0: skip that input gradient
                        x.setRequiresGradient(true);
                    }
                    o.beforeLayer().accept(l);
                    NDArray y = model.layers().get(l).forward(x, in, null, model.training()); // (R, T, C)
                    collector.backward(y.mul(g).sum()); // g is a constant: ∂/∂y = g exactly
                    if (needInputGradient) {
                        inputGradient = x.getGradient(); // (R, T, C)
                        NDScope.unregister(inputGradient);
                    }
                }
                g.close();
                g = inputGradient;
                if (g != null) {
                    NDScope.register(g);
                }
                if (l > 0) {
                    h.remove(l).close();
                }
            }
            // the embedding, when it trains (resized vocabulary, modules_to_save): backward through the lookup
            if (embedTrains) {
                try (NDScope embedScope = new NDScope()) {
                    collector.backward(model.embedding().lookup(batch.inputIds()).mul(g).sum());
                }
                g.close();
            }
            h.remove(0).close();
            return result;
        }
    }
}

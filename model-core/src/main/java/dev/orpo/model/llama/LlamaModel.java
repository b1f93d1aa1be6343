package dev.orpo.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.orpo.model.lora.FrozenWeight;
import dev.orpo.model.lora.LoraAdapter;
import dev.orpo.model.lora.LoraConfig;
import dev.orpo.model.lora.LoraLinear;

import java.util.List;
import java.util.function.IntConsumer;

/**
 * A Llama-family causal language model (Llama 2/3, Mistral, Qwen2) in fp32 on DJL PyTorch, with optional LoRA
 * adapters and resizable embeddings. {@link PretrainedLlama} loads one; {@link TrainableTensors} names, exports and
 * imports its trainable tensors in PEFT's format.
 *
 * <p>Forward methods create many temporaries: call them inside an {@link ai.djl.ndarray.NDScope} (one per step) and
 * {@code NDScope.unregister} anything that must outlive it.
 */
public final class LlamaModel implements AutoCloseable {
    private LlamaConfig config;
    private final NDManager manager;
    private final TokenEmbedding embed;
    private final List<DecoderLayer> layers;
    private final RmsNorm norm;
    private final LmHead lmHead;
    private final RotaryEmbedding rope;
    private LoraConfig lora;
    private boolean training;

    LlamaModel(LlamaConfig config, NDManager manager, TokenEmbedding embed, List<DecoderLayer> layers,
               RmsNorm norm, LmHead lmHead) {
        this.config = config;
        this.manager = manager;
        this.embed = embed;
        this.layers = List.copyOf(layers);
        this.norm = norm;
        this.lmHead = lmHead;
        this.rope = new RotaryEmbedding(config);
    }

    /** What a forward pass returns. */
    public enum Output {
        /** Next-token logits (B, T, V). */
        LOGITS,
        /** The final-norm hidden states (B, T, C), the LM head's input: for a loss that projects them in chunks. */
        HIDDEN
    }

    /**
     * How one forward pass runs besides its input.
     *
     * @param output      logits or the LM head's input
     * @param beforeLayer called with each decoder layer's index just before it runs (the trainer seeds LoRA dropout
     *                    per layer there, so a checkpointed recompute draws the same masks)
     * @param caches      null, or one KV cache per decoder layer (incremental decoding: keys and values of the
     *                    earlier positions, which the new ones are appended to)
     */
    public record Pass(Output output, IntConsumer beforeLayer, List<? extends LayerKvCache> caches) {
        /** Logits, no hook, no cache. */
        public static final Pass LOGITS = new Pass(Output.LOGITS, layer -> { }, null);
        /** Final-norm hidden states, no hook, no cache. */
        public static final Pass HIDDEN = new Pass(Output.HIDDEN, layer -> { }, null);

        /** Logits of new tokens, reading and extending one cache per layer. */
        public static Pass cached(List<? extends LayerKvCache> caches) {
            return new Pass(Output.LOGITS, layer -> { }, caches);
        }

        /** This pass with {@code hook} called before each layer. */
        public Pass beforeEachLayer(IntConsumer hook) {
            return new Pass(output, hook, caches);
        }

        LayerKvCache cache(int layer) {
            return caches == null ? null : caches.get(layer);
        }
    }

    /**
     * What every decoder layer of one pass reads besides its input (for running the layers one by one, e.g. gradient
     * checkpointing).
     *
     * @param rope rotary tables (B, 1, T, D) each
     * @param bias additive attention bias (B, 1, T, S)
     */
    public record LayerInputs(RotaryEmbedding.Tables rope, NDArray bias) {
    }

    /**
     * The forward pass, in the order of the paper and llama3.java: embed → decoder layers → final norm → LM head.
     * LoRA dropout acts in training mode.
     *
     * @param ids       (B, T) int64 token ids (only the new ones with KV caches)
     * @param attention rotary positions and attention bias of the tokens ({@link Attention})
     * @param pass      what to return, a hook before each layer, KV caches ({@link Pass#LOGITS} for a plain pass)
     * @return logits (B, T, V), or final-norm hidden states (B, T, C) for {@link Output#HIDDEN}
     */
    public NDArray forward(NDArray ids, Attention attention, Pass pass) {
        if (pass.caches() != null && pass.caches().size() != layers.size()) {
            throw new IllegalArgumentException("need one KV cache per layer: " + layers.size() + ", got "
                    + pass.caches().size());
        }
        // token embeddings
        NDArray x = embed.lookup(ids); // (B, T, C)
        // rotary tables and attention bias, shared by every layer
        LayerInputs in = layerInputs(attention);
        // the decoder layers: attention and MLP blocks, each with a residual
        for (int i = 0; i < layers.size(); i++) {
            pass.beforeLayer().accept(i);
            x = layers.get(i).forward(x, in, pass.cache(i), training); // (B, T, C)
        }
        // final norm, then the LM head
        NDArray h = norm.forward(x); // (B, T, C)
        return pass.output() == Output.HIDDEN ? h : lmHead.logits(h); // (B, T, V)
    }

    /** {@link #forward} with {@link Pass#LOGITS}: next-token logits (B, T, V) (a {@code score.CausalLm}). */
    public NDArray logits(NDArray ids, Attention attention) {
        return forward(ids, attention, Pass.LOGITS);
    }

    /** The layers' shared inputs of a pass: rotary tables from the positions, the attention bias as given. */
    public LayerInputs layerInputs(Attention attention) {
        return new LayerInputs(rope.tables(attention.positionIds()), attention.bias());
    }

    /** Adds a freshly initialised LoRA adapter to every targeted linear layer of every decoder layer. */
    public void applyLora(LoraConfig loraConfig) {
        if (lora != null) {
            throw new IllegalStateException("LoRA already applied");
        }
        for (int i = 0; i < layers.size(); i++) {
            for (var target : loraConfig.targets()) {
                LoraLinear linear = layers.get(i).linear(target);
                String key = "layers." + i + "." + target.path();
                linear.attach(LoraAdapter.create(manager, linear.base().inFeatures(), linear.base().outFeatures(),
                        loraConfig, key));
            }
        }
        lora = loraConfig;
    }

    /** Grows embed_tokens (and an untied lm_head) to {@code newVocabSize}; both become trainable. */
    public void resizeTokenEmbeddings(int newVocabSize) {
        embed.resize(newVocabSize);
        if (!lmHead.tied()) {
            lmHead.table().resize(newVocabSize);
        }
        config = config.withVocabSize(newVocabSize);
    }

    /** Native bytes held by the frozen linear projections of all decoder layers (see {@link FrozenWeight#bytesHeld}). */
    public long frozenLinearBytes() {
        long bytes = 0;
        for (DecoderLayer layer : layers) {
            for (var target : dev.orpo.model.lora.LoraTarget.values()) {
                bytes += layer.linear(target).base().bytesHeld();
            }
        }
        return bytes;
    }

    /** Training mode turns LoRA dropout on. */
    public void setTraining(boolean training) {
        this.training = training;
    }

    /** True in training mode (LoRA dropout on). */
    public boolean training() {
        return training;
    }

    public LlamaConfig config() {
        return config;
    }

    /** The LoRA config applied, or null. */
    public LoraConfig lora() {
        return lora;
    }

    /** The final RMS norm, between the last decoder layer and the LM head. */
    public RmsNorm norm() {
        return norm;
    }

    public LmHead lmHead() {
        return lmHead;
    }

    public TokenEmbedding embedding() {
        return embed;
    }

    public List<DecoderLayer> layers() {
        return layers;
    }

    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
    }
}

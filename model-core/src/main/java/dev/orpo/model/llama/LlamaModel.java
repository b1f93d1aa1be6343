package dev.orpo.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.orpo.model.io.CheckpointReader;
import dev.orpo.model.io.FloatTensor;
import dev.orpo.model.io.HfConfigReader;
import dev.orpo.model.io.TensorSource;
import dev.orpo.model.lora.LoraAdapter;
import dev.orpo.model.lora.FrozenWeight;
import dev.orpo.model.lora.FrozenWeights;
import dev.orpo.model.lora.LoraConfig;
import dev.orpo.model.lora.LoraLinear;
import dev.orpo.model.lora.PeftAdapterConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * A Llama-family causal language model (Llama 2/3, Mistral, Qwen2) in fp32 on DJL PyTorch, with optional LoRA
 * adapters and resizable embeddings.
 *
 * <p>Forward methods create many temporaries: call them inside an {@link ai.djl.ndarray.NDScope} (one per step) and
 * {@code NDScope.unregister} anything that must outlive it.
 */
public final class LlamaModel implements AutoCloseable {
    /** Dense fp32 frozen projections, the default of every {@code load} without a {@link FrozenWeights}. */
    public static final FrozenWeights DENSE = LlamaLoader.DENSE;

    private LlamaConfig config;
    private final NDManager manager;
    private final TokenEmbedding embed;
    private final List<DecoderLayer> layers;
    private final RmsNorm finalNorm;
    private final LmHead lmHead;
    private final RotaryEmbedding rope;
    private AttentionMask mask = new CausalPaddingMask();
    private LoraConfig lora;
    private boolean training;

    LlamaModel(LlamaConfig config, NDManager manager, TokenEmbedding embed, List<DecoderLayer> layers,
               RmsNorm finalNorm, LmHead lmHead) {
        this.config = config;
        this.manager = manager;
        this.embed = embed;
        this.layers = List.copyOf(layers);
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.rope = new RotaryEmbedding(config);
    }

    /**
     * Loads all weights (widened to fp32) into a new sub-manager of {@code parent}; closing the model frees them.
     * Throws IllegalArgumentException naming the tensor when one is missing or has the wrong shape.
     */
    public static LlamaModel load(LlamaConfig config, TensorSource weights, NDManager parent) {
        return load(config, weights, parent, DENSE);
    }

    /**
     * The same, storing the frozen q/k/v/o/gate/up/down projections with {@code base} (e.g. NF4); embeddings, norms and
     * the LM head stay fp32, as bitsandbytes leaves them.
     */
    public static LlamaModel load(LlamaConfig config, TensorSource weights, NDManager parent, FrozenWeights base) {
        NDManager manager = parent.newSubManager();
        try {
            return LlamaLoader.load(config, weights, manager, base);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Loads an HF model directory: config.json plus model.safetensors or a sharded index (any float dtype). */
    public static LlamaModel load(Path modelDir, NDManager parent) {
        return load(modelDir, parent, DENSE);
    }

    /** Loads an HF model directory with the frozen projections stored by {@code base}. */
    public static LlamaModel load(Path modelDir, NDManager parent, FrozenWeights base) {
        LlamaConfig config = HfConfigReader.read(modelDir);
        try (CheckpointReader weights = CheckpointReader.open(modelDir)) {
            return load(config, weights, parent, base);
        }
    }

    /**
     * Final-norm hidden states (B, T, C), the input of the LM head.
     *
     * @param ids           (B, T) int64 token ids
     * @param attentionMask (B, T) 1 for tokens, 0 for padding
     * @param positionIds   (B, T) int64 rotary positions (see {@link #positionIds})
     */
    public NDArray hiddenStates(NDArray ids, NDArray attentionMask, NDArray positionIds) {
        return hiddenStates(ids, attentionMask, positionIds, layer -> { });
    }

    /** Final-norm hidden states (B, T, C), calling {@code beforeLayer} as {@link #logits(NDArray, NDArray, NDArray,
     * IntConsumer)} does: the LM head's input, for a loss that projects it in chunks. */
    public NDArray hiddenStates(NDArray ids, NDArray attentionMask, NDArray positionIds, IntConsumer beforeLayer) {
        return finalNorm(lastLayerOutput(ids, attentionMask, positionIds, beforeLayer));
    }

    /** Next-token logits (B, T, V). */
    public NDArray logits(NDArray ids, NDArray attentionMask, NDArray positionIds) {
        return logits(ids, attentionMask, positionIds, layer -> { });
    }

    /**
     * Next-token logits (B, T, V), calling {@code beforeLayer} with each decoder layer's index just before it runs
     * (the trainer seeds LoRA dropout per layer there, so a checkpointed recompute can draw the same masks).
     */
    public NDArray logits(NDArray ids, NDArray attentionMask, NDArray positionIds, IntConsumer beforeLayer) {
        return headLogits(lastLayerOutput(ids, attentionMask, positionIds, beforeLayer));
    }

    private NDArray lastLayerOutput(NDArray ids, NDArray attentionMask, NDArray positionIds, IntConsumer before) {
        NDArray x = embed.lookup(ids); // (B, T, C)
        LayerContext context = layerContext(attentionMask, positionIds);
        for (int i = 0; i < layers.size(); i++) {
            before.accept(i);
            x = layer(i, x, context); // (B, T, C)
        }
        return x;
    }

    /**
     * What every decoder layer of one forward pass shares (for running the layers one by one, e.g. gradient
     * checkpointing).
     *
     * @param rope rotary tables (B, 1, T, D) each
     * @param bias additive attention bias (B, 1, T, T)
     */
    public record LayerContext(RotaryEmbedding.Tables rope, NDArray bias) {
    }

    /** The shared layer inputs of a batch: rotary tables from the positions, attention bias from the mask. */
    public LayerContext layerContext(NDArray attentionMask, NDArray positionIds) {
        return new LayerContext(rope.tables(positionIds), mask.bias(attentionMask, positionIds));
    }

    /** Decoder layer {@code i} (LoRA dropout on in training mode): x (B, T, C) → (B, T, C). */
    public NDArray layer(int i, NDArray x, LayerContext context) {
        return layers.get(i).forward(x, context.rope(), context.bias(), training);
    }

    /** The top of the model: the last layer's output (B, T, C) → final norm → LM head → logits (B, T, V). */
    public NDArray headLogits(NDArray lastLayerOutput) {
        return lmHead.logits(finalNorm(lastLayerOutput));
    }

    /** The final RMS norm alone: the last layer's output (B, T, C) → the LM head's input (B, T, C). */
    public NDArray finalNorm(NDArray lastLayerOutput) {
        return finalNorm.forward(lastLayerOutput);
    }

    /**
     * Incremental decoding (inference, no LoRA dropout): logits (B, T, V) of T new tokens whose keys/values are
     * appended to one cache per layer.
     *
     * @param ids         (B, T) int64 new token ids
     * @param positionIds (B, T) int64 absolute rotary positions of the new tokens (P, P+1, … after P cached ones)
     * @param bias        (B, 1, T, P+T) additive attention bias over cached and new keys
     * @param caches      one cache per decoder layer, in layer order
     */
    public NDArray logits(NDArray ids, NDArray positionIds, NDArray bias, List<? extends LayerKvCache> caches) {
        if (caches.size() != layers.size()) {
            throw new IllegalArgumentException("need one KV cache per layer: " + layers.size() + ", got "
                    + caches.size());
        }
        NDArray x = embed.lookup(ids); // (B, T, C)
        RotaryEmbedding.Tables tables = rope.tables(positionIds); // (B, 1, T, D) each
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).forward(x, tables, bias, caches.get(i));
        }
        return lmHead.logits(finalNorm.forward(x));
    }

    /** log p(ids[t+1] | ids[≤t]) for t = 0 … T−2: (B, T−1). Entries after padding are meaningless; mask them. */
    public NDArray nextTokenLogProbs(NDArray ids, NDArray attentionMask, NDArray positionIds) {
        NDArray logits = logits(ids, attentionMask, positionIds);
        long t = ids.getShape().get(1);
        return tokenLogProbs(logits.get(":, :{}, :", t - 1), ids.get(":, 1:"));
    }

    /** log_softmax(logits) gathered at labels: logits (B, T, V), labels (B, T) → (B, T). */
    public static NDArray tokenLogProbs(NDArray logits, NDArray labels) {
        return logits.logSoftmax(-1).gather(labels.expandDims(-1), -1).squeeze(-1);
    }

    /** Positions 0, 1, … counting only real tokens (cumsum of the mask − 1, clamped at 0): right or left padding. */
    public static NDArray positionIds(NDArray attentionMask) {
        NDArray m = attentionMask.toType(ai.djl.ndarray.types.DataType.INT64, false);
        return m.cumSum(1).sub(1).maximum(0);
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

    /** Every tensor that receives gradients, in a stable order (see {@link TrainableTensors}). */
    public List<NDArray> trainableParameters() {
        return new ArrayList<>(TrainableTensors.of(this).values());
    }

    /** Trainable tensors under PEFT adapter-file names, copied to host memory. */
    public Map<String, FloatTensor> exportTrainable() {
        return TrainableTensors.export(this);
    }

    /** The adapter_config.json that goes with {@link #exportTrainable()} (LoRA applied first). */
    public PeftAdapterConfig peftConfig(String baseModelNameOrPath) {
        if (lora == null) {
            throw new IllegalStateException("no LoRA applied: nothing to describe");
        }
        return lora.toPeft(TrainableTensors.modulesToSave(this), baseModelNameOrPath);
    }

    /** Overwrites trainable tensors from PEFT-named host tensors; every trainable tensor must be present. */
    public void importTrainable(Map<String, FloatTensor> tensors) {
        TrainableTensors.load(this, tensors);
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

    /** Replaces the attention-mask rule (e.g. prompt sharing). */
    public void setAttentionMask(AttentionMask attentionMask) {
        this.mask = attentionMask;
    }

    public LlamaConfig config() {
        return config;
    }

    /** The LoRA config applied, or null. */
    public LoraConfig lora() {
        return lora;
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

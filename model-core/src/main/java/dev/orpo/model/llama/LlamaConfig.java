package dev.orpo.model.llama;

import java.util.List;

/**
 * A decoder-only Llama-family architecture, as read from a Hugging Face {@code config.json}
 * ({@code LlamaForCausalLM}, {@code MistralForCausalLM}, {@code Qwen2ForCausalLM}). Parsing and shape checks live in
 * {@code dev.orpo.model.io.HfConfigReader}.
 *
 * @param architecture      e.g. {@code LlamaForCausalLM}
 * @param headDim           per-head size; {@code hidden_size / num_attention_heads} unless config.json says otherwise
 * @param attentionBias     q/k/v projections carry a bias (Qwen2)
 * @param ropeScaling       null, or the {@code llama3} frequency scaling of Llama 3.1/3.2
 * @param eosTokenIds       one or more end-of-sequence ids (Llama 3 instruct lists several)
 * @param torchDtype        dtype the checkpoint was saved in ({@code bfloat16}, {@code float16}, {@code float32})
 */
public record LlamaConfig(
        String architecture,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        int maxPositionEmbeddings,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        Integer bosTokenId,
        List<Integer> eosTokenIds,
        Integer padTokenId,
        String torchDtype) {

    /**
     * Llama 3.1 rope scaling ({@code rope_type: llama3}).
     */
    public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
                              int originalMaxPositionEmbeddings) {
    }

    /** Query heads per key/value head (grouped-query attention). */
    public int groupSize() {
        return numAttentionHeads / numKeyValueHeads;
    }

    /** The same architecture with a larger vocabulary (added special tokens). */
    public LlamaConfig withVocabSize(int newVocabSize) {
        return new LlamaConfig(architecture, newVocabSize, hiddenSize, intermediateSize, numHiddenLayers,
                numAttentionHeads, numKeyValueHeads, headDim, rmsNormEps, ropeTheta, ropeScaling,
                maxPositionEmbeddings, tieWordEmbeddings, attentionBias, bosTokenId, eosTokenIds, padTokenId,
                torchDtype);
    }
}

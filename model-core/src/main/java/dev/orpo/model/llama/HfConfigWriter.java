package dev.orpo.model.llama;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes {@code config.json} and {@code generation_config.json} for a {@link LlamaConfig} with every field
 * transformers' Llama/Mistral/Qwen2 config classes read, so {@code AutoModelForCausalLM.from_pretrained} loads it.
 */
public final class HfConfigWriter {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HfConfigWriter() {
    }

    /** Writes both files into {@code dir} (created if missing). */
    public static void write(Path dir, LlamaConfig config) {
        try {
            Files.createDirectories(dir);
            JSON.writeValue(dir.resolve("config.json").toFile(), configJson(config));
            JSON.writeValue(dir.resolve("generation_config.json").toFile(), generationConfigJson(config));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write config to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The config.json object. */
    public static ObjectNode configJson(LlamaConfig c) {
        String modelType = HfConfigReader.SUPPORTED.get(c.architecture());
        if (modelType == null) {
            throw new IllegalArgumentException("architecture '" + c.architecture() + "' is not supported; supported: "
                    + HfConfigReader.SUPPORTED.keySet());
        }
        ObjectNode o = JSON.createObjectNode();
        o.putArray("architectures").add(c.architecture());
        o.put("model_type", modelType);
        if (modelType.equals("llama")) {
            o.put("attention_bias", c.attentionBias());
            o.put("mlp_bias", false);
            o.put("pretraining_tp", 1);
        }
        o.put("attention_dropout", 0.0);
        putTokenIds(o, c);
        o.put("head_dim", c.headDim());
        o.put("hidden_act", "silu");
        o.put("hidden_size", c.hiddenSize());
        o.put("initializer_range", 0.02);
        o.put("intermediate_size", c.intermediateSize());
        o.put("max_position_embeddings", c.maxPositionEmbeddings());
        o.put("num_attention_heads", c.numAttentionHeads());
        o.put("num_hidden_layers", c.numHiddenLayers());
        o.put("num_key_value_heads", c.numKeyValueHeads());
        o.put("rms_norm_eps", c.rmsNormEps());
        if (c.ropeScaling() == null) {
            o.putNull("rope_scaling");
        } else {
            LlamaConfig.RopeScaling r = c.ropeScaling();
            o.putObject("rope_scaling").put("factor", r.factor()).put("high_freq_factor", r.highFreqFactor())
                    .put("low_freq_factor", r.lowFreqFactor())
                    .put("original_max_position_embeddings", r.originalMaxPositionEmbeddings())
                    .put("rope_type", r.type());
        }
        o.put("rope_theta", c.ropeTheta());
        if (modelType.equals("mistral")) {
            o.putNull("sliding_window");
        }
        if (modelType.equals("qwen2")) {
            o.put("use_sliding_window", false);
            o.put("sliding_window", c.maxPositionEmbeddings());
            o.put("max_window_layers", c.numHiddenLayers());
        }
        o.put("tie_word_embeddings", c.tieWordEmbeddings());
        o.put("torch_dtype", c.torchDtype() == null ? "float32" : c.torchDtype());
        o.put("use_cache", true);
        o.put("vocab_size", c.vocabSize());
        return o;
    }

    /** The generation_config.json object (token ids only: decoding settings belong to the user). */
    public static ObjectNode generationConfigJson(LlamaConfig c) {
        ObjectNode o = JSON.createObjectNode();
        putTokenIds(o, c);
        return o;
    }

    private static void putTokenIds(ObjectNode o, LlamaConfig c) {
        if (c.bosTokenId() != null) {
            o.put("bos_token_id", c.bosTokenId());
        }
        List<Integer> eos = c.eosTokenIds() == null ? List.of() : c.eosTokenIds();
        if (eos.size() == 1) {
            o.put("eos_token_id", eos.get(0));
        } else if (eos.size() > 1) {
            eos.forEach(o.putArray("eos_token_id")::add);
        }
        if (c.padTokenId() != null) {
            o.put("pad_token_id", c.padTokenId());
        }
    }
}

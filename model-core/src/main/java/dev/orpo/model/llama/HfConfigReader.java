package dev.orpo.model.llama;

import dev.orpo.model.io.DType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a Hugging Face {@code config.json} into a {@link LlamaConfig}. Supported: {@code LlamaForCausalLM}
 * (Llama 2, 3, 3.1, 3.2, including {@code llama3} rope scaling), {@code MistralForCausalLM} and
 * {@code Qwen2ForCausalLM} (q/k/v bias). Defaults for absent keys are those of the matching transformers config
 * class, so a minimal config.json reads the way transformers reads it. Mistral's {@code sliding_window} is not
 * modelled: results are exact for sequences no longer than the window.
 */
public final class HfConfigReader {
    /** Architectures this project can load, with their transformers {@code model_type}. */
    public static final Map<String, String> SUPPORTED = Map.of(
            "LlamaForCausalLM", "llama", "MistralForCausalLM", "mistral", "Qwen2ForCausalLM", "qwen2");
    private static final ObjectMapper JSON = new ObjectMapper();

    private HfConfigReader() {
    }

    /** Reads {@code dir/config.json} (or {@code path} itself if it is a file). */
    public static LlamaConfig read(Path dirOrFile) {
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve("config.json") : dirOrFile;
        try {
            return parse(JSON.readTree(file.toFile()), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses config.json text; {@code source} names it in error messages. */
    public static LlamaConfig parse(JsonNode c, String source) {
        Fields f = new Fields(c, source);
        String arch = architecture(c, source);
        String modelType = SUPPORTED.get(arch);
        if (c.hasNonNull("model_type") && !c.get("model_type").asText().equals(modelType)) {
            throw f.error("model_type '" + c.get("model_type").asText() + "' does not match architecture " + arch
                    + " (expected '" + modelType + "')");
        }
        String act = f.text("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw f.error("hidden_act '" + act + "' is not supported (only silu)");
        }
        if (modelType.equals("qwen2") && f.bool("use_sliding_window", false)) {
            throw f.error("use_sliding_window=true is not supported");
        }
        if (f.bool("mlp_bias", false)) {
            throw f.error("mlp_bias=true is not supported");
        }
        int hidden = f.positiveInt("hidden_size");
        int heads = f.positiveInt("num_attention_heads");
        int kvHeads = c.hasNonNull("num_key_value_heads") ? f.positiveInt("num_key_value_heads") : heads;
        if (!c.hasNonNull("head_dim") && hidden % heads != 0) {
            throw f.error("hidden_size " + hidden + " is not divisible by num_attention_heads " + heads);
        }
        int headDim = c.hasNonNull("head_dim") ? f.positiveInt("head_dim") : hidden / heads;
        if (heads % kvHeads != 0) {
            throw f.error("num_attention_heads " + heads + " is not divisible by num_key_value_heads " + kvHeads);
        }
        // Defaults below are transformers' config-class defaults for each architecture.
        int defaultMaxPos = switch (modelType) {
            case "mistral" -> 4096 * 32;
            case "qwen2" -> 32768;
            default -> 2048;
        };
        JsonNode ropeParams = c.get("rope_parameters");  // transformers 5 nests theta and scaling here
        double ropeTheta = c.hasNonNull("rope_theta") ? f.positiveDouble("rope_theta")
                : ropeParams != null && ropeParams.hasNonNull("rope_theta") ? ropeParams.get("rope_theta").asDouble()
                : 10000.0;
        JsonNode scaling = c.hasNonNull("rope_scaling") ? c.get("rope_scaling") : ropeParams;
        boolean attentionBias = modelType.equals("qwen2") || f.bool("attention_bias", false);
        return new LlamaConfig(arch,
                f.positiveInt("vocab_size"),
                hidden,
                f.positiveInt("intermediate_size"),
                f.positiveInt("num_hidden_layers"),
                heads, kvHeads, headDim,
                c.hasNonNull("rms_norm_eps") ? f.positiveDouble("rms_norm_eps") : 1e-6,
                ropeTheta,
                ropeScaling(scaling, f),
                c.hasNonNull("max_position_embeddings") ? f.positiveInt("max_position_embeddings") : defaultMaxPos,
                f.bool("tie_word_embeddings", false),
                attentionBias,
                f.optionalInt("bos_token_id"),
                eosIds(c.get("eos_token_id"), f),
                f.optionalInt("pad_token_id"),
                torchDtype(c, f));
    }

    private static String architecture(JsonNode c, String source) {
        JsonNode archs = c.get("architectures");
        String arch = archs != null && archs.isArray() && archs.size() > 0 ? archs.get(0).asText() : null;
        if (arch == null || !SUPPORTED.containsKey(arch)) {
            throw new IllegalArgumentException(source + ": architecture " + (arch == null ? "(missing)" : "'" + arch
                    + "'") + " is not supported; supported: " + String.join(", ", new java.util.TreeSet<>(
                    SUPPORTED.keySet())));
        }
        return arch;
    }

    private static LlamaConfig.RopeScaling ropeScaling(JsonNode s, Fields f) {
        if (s == null || s.isNull()) {
            return null;
        }
        String type = s.hasNonNull("rope_type") ? s.get("rope_type").asText()
                : s.hasNonNull("type") ? s.get("type").asText() : "default";
        if (type.equals("default")) {
            return null;
        }
        if (!type.equals("llama3")) {
            throw f.error("rope_scaling type '" + type + "' is not supported (only llama3 or default)");
        }
        Fields r = new Fields(s, f.source + " rope_scaling");
        return new LlamaConfig.RopeScaling("llama3", r.positiveDouble("factor"), r.positiveDouble("low_freq_factor"),
                r.positiveDouble("high_freq_factor"), r.positiveInt("original_max_position_embeddings"));
    }

    private static List<Integer> eosIds(JsonNode n, Fields f) {
        List<Integer> ids = new ArrayList<>();
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (n.isArray()) {
            n.forEach(e -> ids.add(f.intValue("eos_token_id", e)));
        } else {
            ids.add(f.intValue("eos_token_id", n));
        }
        return List.copyOf(ids);
    }

    private static String torchDtype(JsonNode c, Fields f) {
        String key = c.hasNonNull("torch_dtype") ? "torch_dtype" : c.hasNonNull("dtype") ? "dtype" : null;
        if (key == null) {
            return null;
        }
        try {
            return DType.fromTorchName(c.get(key).asText()).torchName();
        } catch (IllegalArgumentException e) {
            throw f.error(key + ": " + e.getMessage());
        }
    }

    /** Typed access to config fields with errors naming the field. */
    private static final class Fields {
        final JsonNode c;
        final String source;

        Fields(JsonNode c, String source) {
            this.c = c;
            this.source = source;
        }

        IllegalArgumentException error(String why) {
            return new IllegalArgumentException(source + ": " + why);
        }

        int positiveInt(String key) {
            if (!c.hasNonNull(key)) {
                throw error("missing required field " + key);
            }
            int v = intValue(key, c.get(key));
            if (v <= 0) {
                throw error(key + " must be positive, got " + v);
            }
            return v;
        }

        int intValue(String key, JsonNode n) {
            if (!n.isIntegralNumber() || !n.canConvertToInt()) {
                throw error(key + " must be an integer, got " + n);
            }
            return n.asInt();
        }

        Integer optionalInt(String key) {
            return c.hasNonNull(key) ? intValue(key, c.get(key)) : null;
        }

        double positiveDouble(String key) {
            JsonNode n = c.get(key);
            if (n == null || !n.isNumber() || n.asDouble() <= 0) {
                throw error(key + " must be a positive number, got " + n);
            }
            return n.asDouble();
        }

        boolean bool(String key, boolean dflt) {
            JsonNode n = c.get(key);
            if (n == null || n.isNull()) {
                return dflt;
            }
            if (!n.isBoolean()) {
                throw error(key + " must be true or false, got " + n);
            }
            return n.asBoolean();
        }

        String text(String key, String dflt) {
            return c.hasNonNull(key) ? c.get(key).asText() : dflt;
        }
    }
}

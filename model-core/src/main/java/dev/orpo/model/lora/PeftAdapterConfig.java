package dev.orpo.model.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The LoRA settings stored in PEFT's {@code adapter_config.json}. Only plain LoRA is representable: DoRA, LoRA
 * bias, per-module rank/alpha patterns, fan_in_fan_out and regex target strings are rejected when reading.
 *
 * @param r                    rank of each update {@code B @ A}
 * @param loraAlpha            scale numerator: the update is multiplied by {@link #scaling()}
 * @param loraDropout          dropout on the LoRA input during training (no effect on the saved weights)
 * @param targetModules        leaf module names carrying LoRA, e.g. {@code q_proj}, {@code v_proj}
 * @param useRslora            rank-stabilised scaling {@code alpha / sqrt(r)} instead of {@code alpha / r}
 * @param modulesToSave        modules saved whole and replacing the base's (e.g. {@code embed_tokens},
 *                             {@code lm_head} after adding chat tokens); empty if none
 * @param baseModelNameOrPath  the base model the adapter was trained on (informational; may be null)
 */
public record PeftAdapterConfig(int r, double loraAlpha, double loraDropout, List<String> targetModules,
                                boolean useRslora, List<String> modulesToSave, String baseModelNameOrPath) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public PeftAdapterConfig {
        if (r <= 0) {
            throw new IllegalArgumentException("adapter r must be positive, got " + r);
        }
        if (!(loraAlpha > 0) || Double.isInfinite(loraAlpha)) {
            throw new IllegalArgumentException("adapter lora_alpha must be positive, got " + loraAlpha);
        }
        if (!(loraDropout >= 0 && loraDropout < 1)) {
            throw new IllegalArgumentException("adapter lora_dropout must be in [0, 1), got " + loraDropout);
        }
        if (targetModules == null || targetModules.isEmpty()) {
            throw new IllegalArgumentException("adapter target_modules must name at least one module");
        }
        targetModules = List.copyOf(targetModules);
        modulesToSave = modulesToSave == null ? List.of() : List.copyOf(modulesToSave);
        for (String m : targetModules) {
            if (m.isBlank() || modulesToSave.contains(m)) {
                throw new IllegalArgumentException("adapter target module '" + m + "' is blank or also in"
                        + " modules_to_save");
            }
        }
    }

    /** The factor applied to {@code B @ A}: {@code alpha / r}, or {@code alpha / sqrt(r)} with rsLoRA. */
    public double scaling() {
        return useRslora ? loraAlpha / Math.sqrt(r) : loraAlpha / r;
    }

    /**
     * The adapter_config.json object with the keys PEFT 0.18 writes (plain LoRA values), so
     * {@code PeftModel.from_pretrained} accepts it.
     */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.putNull("alora_invocation_tokens");
        o.putObject("alpha_pattern");
        o.putNull("arrow_config");
        o.putNull("auto_mapping");
        o.put("base_model_name_or_path", baseModelNameOrPath);
        o.put("bias", "none");
        o.putNull("corda_config");
        o.put("ensure_weight_tying", false);
        o.putNull("eva_config");
        o.putNull("exclude_modules");
        o.put("fan_in_fan_out", false);
        o.put("inference_mode", true);
        o.put("init_lora_weights", true);
        o.putNull("layer_replication");
        o.putNull("layers_pattern");
        o.putNull("layers_to_transform");
        o.putObject("loftq_config");
        o.put("lora_alpha", loraAlpha);
        o.put("lora_bias", false);
        o.put("lora_dropout", loraDropout);
        o.putNull("megatron_config");
        o.put("megatron_core", "megatron.core");
        if (modulesToSave.isEmpty()) {
            o.putNull("modules_to_save");
        } else {
            modulesToSave.forEach(o.putArray("modules_to_save")::add);
        }
        o.put("peft_type", "LORA");
        o.put("qalora_group_size", 16);
        o.put("r", r);
        o.putObject("rank_pattern");
        o.putNull("revision");
        targetModules.forEach(o.putArray("target_modules")::add);
        o.putNull("target_parameters");
        o.put("task_type", "CAUSAL_LM");
        o.putNull("trainable_token_indices");
        o.put("use_dora", false);
        o.put("use_qalora", false);
        o.put("use_rslora", useRslora);
        return o;
    }

    /** Reads adapter_config.json; {@code source} names the file in errors. Unsupported LoRA variants are rejected. */
    public static PeftAdapterConfig fromJson(JsonNode o, String source) {
        String type = text(o, "peft_type", null);
        if (!"LORA".equals(type)) {
            throw new IllegalArgumentException(source + ": peft_type '" + type + "' is not supported (only LORA)");
        }
        String task = text(o, "task_type", "CAUSAL_LM");
        if (!task.equals("CAUSAL_LM")) {
            throw new IllegalArgumentException(source + ": task_type '" + task + "' is not supported (CAUSAL_LM)");
        }
        reject(o, source, "use_dora", "DoRA");
        reject(o, source, "lora_bias", "LoRA bias");
        reject(o, source, "fan_in_fan_out", "fan_in_fan_out");
        reject(o, source, "use_qalora", "QALoRA");
        if (!text(o, "bias", "none").equals("none")) {
            throw new IllegalArgumentException(source + ": bias '" + o.get("bias").asText() + "' is not supported"
                    + " (only none)");
        }
        for (String pattern : List.of("rank_pattern", "alpha_pattern")) {
            if (o.hasNonNull(pattern) && !o.get(pattern).isEmpty()) {
                throw new IllegalArgumentException(source + ": " + pattern + " " + o.get(pattern)
                        + " is not supported (one rank and alpha for all modules)");
            }
        }
        JsonNode targets = o.get("target_modules");
        if (targets != null && targets.isTextual()) {
            throw new IllegalArgumentException(source + ": target_modules given as a regex string ('"
                    + targets.asText() + "') is not supported; list the module names");
        }
        if (!o.hasNonNull("r") || !o.get("r").canConvertToInt()) {
            throw new IllegalArgumentException(source + ": missing or invalid r");
        }
        if (!o.hasNonNull("lora_alpha") || !o.get("lora_alpha").isNumber()) {
            throw new IllegalArgumentException(source + ": missing or invalid lora_alpha");
        }
        try {
            return new PeftAdapterConfig(o.get("r").asInt(), o.get("lora_alpha").asDouble(),
                    o.hasNonNull("lora_dropout") ? o.get("lora_dropout").asDouble() : 0.0, strings(targets),
                    o.path("use_rslora").asBoolean(false), strings(o.get("modules_to_save")),
                    text(o, "base_model_name_or_path", null));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static void reject(JsonNode o, String source, String key, String what) {
        if (o.path(key).asBoolean(false)) {
            throw new IllegalArgumentException(source + ": " + key + "=true (" + what + ") is not supported");
        }
    }

    private static String text(JsonNode o, String key, String dflt) {
        return o.hasNonNull(key) ? o.get(key).asText() : dflt;
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n != null && n.isArray()) {
            n.forEach(e -> out.add(e.asText()));
        }
        return out;
    }
}

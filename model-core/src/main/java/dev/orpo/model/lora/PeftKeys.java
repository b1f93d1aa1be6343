package dev.orpo.model.lora;

/**
 * Tensor names in PEFT's {@code adapter_model.safetensors} for a causal LM: PEFT prefixes module paths with
 * {@code base_model.model.} and drops the adapter name, so LoRA factors are
 * {@code base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight} ([r, in]) / {@code ...lora_B.weight}
 * ([out, r]); a {@code modules_to_save} module is stored under its own parameter names, e.g.
 * {@code base_model.model.model.embed_tokens.weight} and {@code base_model.model.lm_head.weight}
 * (PEFT's {@code ModulesToSaveWrapper.adapter_state_dict}).
 */
public final class PeftKeys {
    public static final String PREFIX = "base_model.model.";

    private PeftKeys() {
    }

    /** What a key holds: a LoRA factor or a saved module's parameter. */
    public enum Kind { LORA_A, LORA_B, SAVED_MODULE }

    /**
     * A parsed adapter key.
     *
     * @param module     module path in the base model, e.g. {@code model.layers.0.self_attn.q_proj}
     * @param baseTensor the base-model tensor it applies to or replaces, e.g. {@code ...q_proj.weight}
     */
    public record Key(Kind kind, String module, String baseTensor) {
        /** The last path element, e.g. {@code q_proj}. */
        public String leaf() {
            return module.substring(module.lastIndexOf('.') + 1);
        }
    }

    /** {@code base_model.model.<module>.lora_A.weight}. */
    public static String loraA(String module) {
        return PREFIX + module + ".lora_A.weight";
    }

    /** {@code base_model.model.<module>.lora_B.weight}. */
    public static String loraB(String module) {
        return PREFIX + module + ".lora_B.weight";
    }

    /** {@code base_model.model.<baseTensor>} for a modules_to_save parameter, e.g. {@code model.embed_tokens.weight}. */
    public static String savedModule(String baseTensor) {
        return PREFIX + baseTensor;
    }

    /** Parses an adapter key; IllegalArgumentException naming it if it is not a LoRA or modules_to_save key. */
    public static Key parse(String key) {
        if (!key.startsWith(PREFIX)) {
            throw new IllegalArgumentException("adapter tensor '" + key + "' does not start with " + PREFIX);
        }
        String rest = key.substring(PREFIX.length());
        for (Kind kind : new Kind[]{Kind.LORA_A, Kind.LORA_B}) {
            String suffix = kind == Kind.LORA_A ? ".lora_A.weight" : ".lora_B.weight";
            if (rest.endsWith(suffix)) {
                String module = rest.substring(0, rest.length() - suffix.length());
                return new Key(kind, module, module + ".weight");
            }
        }
        if (rest.contains("lora_") || !(rest.endsWith(".weight") || rest.endsWith(".bias"))) {
            throw new IllegalArgumentException("adapter tensor '" + key + "' is neither a lora_A/lora_B weight nor a"
                    + " saved module parameter");
        }
        return new Key(Kind.SAVED_MODULE, rest.substring(0, rest.lastIndexOf('.')), rest);
    }
}

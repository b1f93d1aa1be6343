package dev.orpo.model.lora;

import java.util.Arrays;

/** The seven linear layers of a Llama decoder layer that LoRA can adapt, with their Hugging Face module paths. */
public enum LoraTarget {
    Q("self_attn.q_proj"), K("self_attn.k_proj"), V("self_attn.v_proj"), O("self_attn.o_proj"),
    GATE("mlp.gate_proj"), UP("mlp.up_proj"), DOWN("mlp.down_proj");

    private final String path;

    LoraTarget(String path) {
        this.path = path;
    }

    /** Path inside a decoder layer, e.g. {@code self_attn.q_proj}. */
    public String path() {
        return path;
    }

    /** PEFT's {@code target_modules} name, e.g. {@code q_proj}. */
    public String moduleName() {
        return path.substring(path.indexOf('.') + 1);
    }

    /** Parses a PEFT module name ({@code q_proj} … {@code down_proj}). */
    public static LoraTarget fromModuleName(String name) {
        return Arrays.stream(values()).filter(t -> t.moduleName().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown LoRA target module '" + name
                        + "' (expected one of q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj)"));
    }
}

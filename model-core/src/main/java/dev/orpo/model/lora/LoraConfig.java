package dev.orpo.model.lora;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * LoRA hyper-parameters (PEFT {@code LoraConfig} semantics).
 *
 * @param r             rank of the update; must be ≥ 1
 * @param alpha         {@code lora_alpha}; the update is scaled by {@code alpha / r} ({@code alpha / √r} with rsLoRA)
 * @param dropout       dropout probability on the LoRA input path during training, in [0, 1)
 * @param targets       which linear layers of each decoder layer get an adapter; non-empty
 * @param useRslora     rank-stabilized scaling {@code alpha / √r}
 * @param seed          seeds the Kaiming-uniform init of the A matrices (same seed → bit-identical A)
 */
public record LoraConfig(int r, double alpha, double dropout, Set<LoraTarget> targets, boolean useRslora,
                         long seed) {

    public LoraConfig {
        if (r < 1) {
            throw new IllegalArgumentException("lora r must be >= 1, got " + r);
        }
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("lora alpha must be a positive finite number, got " + alpha);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("lora dropout must be in [0, 1), got " + dropout);
        }
        if (targets == null || targets.isEmpty()) {
            throw new IllegalArgumentException("lora targets must name at least one module");
        }
        targets = Collections.unmodifiableSet(EnumSet.copyOf(targets));
    }

    /**
     * Defaults of the ORPO paper's / TRL examples' LoRA runs: r 16 and alpha 32 (scaling 2, the common
     * "alpha = 2r" choice), dropout 0.05 (PEFT examples), all seven linear layers (QLoRA finding that adapting every
     * linear layer matters more than rank), plain scaling, seed 42.
     */
    public static LoraConfig defaults() {
        return new LoraConfig(16, 32, 0.05, EnumSet.allOf(LoraTarget.class), false, 42L);
    }

    /** The LoRA part of a PEFT adapter_config.json; {@code seed} is ours (PEFT does not record one). */
    public static LoraConfig fromPeft(PeftAdapterConfig peft, long seed) {
        Set<LoraTarget> t = EnumSet.noneOf(LoraTarget.class);
        peft.targetModules().forEach(m -> t.add(LoraTarget.fromModuleName(m)));
        return new LoraConfig(peft.r(), peft.loraAlpha(), peft.loraDropout(), t, peft.useRslora(), seed);
    }

    /** This config as a PEFT adapter config (target modules in q, k, v, o, gate, up, down order). */
    public PeftAdapterConfig toPeft(List<String> modulesToSave, String baseModelNameOrPath) {
        List<String> names = targets.stream().map(LoraTarget::moduleName).toList();
        return new PeftAdapterConfig(r, alpha, dropout, names, useRslora, modulesToSave, baseModelNameOrPath);
    }

    /** The factor applied to {@code B·A}: {@code alpha / r}, or {@code alpha / √r} with rsLoRA. */
    public double scaling() {
        return useRslora ? alpha / Math.sqrt(r) : alpha / r;
    }
}

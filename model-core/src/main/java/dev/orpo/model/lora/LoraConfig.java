package dev.orpo.model.lora;

import dev.orpo.contracts.request.InvalidRequestException;
import dev.orpo.contracts.request.LoraSpec;
import dev.orpo.contracts.request.RequestValidator;
import dev.orpo.contracts.request.TrainingArgs;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * LoRA hyper-parameters (PEFT {@code LoraConfig} semantics): the typed view of a request's {@link LoraSpec}, which
 * owns the defaults and, through {@link RequestValidator#loraErrors}, the rules.
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
        List<String> names = targets == null ? List.of()
                : targets.stream().sorted().map(LoraTarget::moduleName).toList();
        InvalidRequestException.throwIfAny(RequestValidator.loraErrors(
                new LoraSpec(r, alpha, dropout, names, useRslora, null)));
        targets = Collections.unmodifiableSet(EnumSet.copyOf(targets));
    }

    /** A request's PEFT-named LoRA section; {@code seed} (the run's) seeds the A matrices. */
    public static LoraConfig of(LoraSpec spec, long seed) {
        EnumSet<LoraTarget> targets = EnumSet.noneOf(LoraTarget.class);
        for (String t : spec.targetModules()) {
            targets.add(LoraTarget.fromModuleName(t));
        }
        return new LoraConfig(spec.r(), spec.loraAlpha(), spec.loraDropout(), targets, spec.useRslora(), seed);
    }

    /** The request's defaults ({@link LoraSpec#defaults()}: the seed's r 16, alpha 32, dropout 0.05, all seven
     * projections) with the request's default seed. */
    public static LoraConfig defaults() {
        return of(LoraSpec.defaults(), TrainingArgs.defaults().seed());
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

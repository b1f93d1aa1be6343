package dev.orpo.contracts.request;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;

/**
 * LoRA adapter, PEFT's names. Defaults are the seed's {@code LoraConfig}: r=16, alpha=32, dropout=0.05 on all seven
 * linear projections of a Llama decoder layer.
 *
 * @param modulesToSave extra full modules trained and saved with the adapter; null: {@code embed_tokens} and
 *                      {@code lm_head} when the chat template setup adds tokens, else none
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record LoraSpec(
        Integer r,
        Double loraAlpha,
        Double loraDropout,
        List<String> targetModules,
        Boolean useRslora,
        List<String> modulesToSave) {

    public static final List<String> ALL_LINEAR =
            List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    public LoraSpec {
        r = r == null ? 16 : r;
        loraAlpha = loraAlpha == null ? 32.0 : loraAlpha;
        loraDropout = loraDropout == null ? 0.05 : loraDropout;
        targetModules = targetModules == null ? ALL_LINEAR : List.copyOf(targetModules);
        useRslora = useRslora == null ? Boolean.FALSE : useRslora;
        modulesToSave = modulesToSave == null ? null : List.copyOf(modulesToSave);
    }

    public static LoraSpec defaults() {
        return new LoraSpec(null, null, null, null, null, null);
    }
}

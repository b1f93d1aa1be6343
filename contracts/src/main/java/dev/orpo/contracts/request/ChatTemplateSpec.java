package dev.orpo.contracts.request;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Chat template.
 *
 * @param mode     {@code model}: the Jinja template in the model's tokenizer_config.json (right for instruct
 *                 models); {@code chatml}: the seed's {@code setup_chat_format} (adds {@code <|im_start|>} and
 *                 {@code <|im_end|>}, resizes embeddings, saves them with the adapter). Default {@code model}: it
 *                 needs no embedding resize; the seed's recipe (examples/llama3-orpo.yaml) asks for chatml.
 * @param template an inline Jinja template that overrides both; null to use the mode's
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ChatTemplateSpec(String mode, String template) {
    public static final String MODEL = "model";
    public static final String CHATML = "chatml";

    public ChatTemplateSpec {
        mode = mode == null ? MODEL : mode;
    }

    public static ChatTemplateSpec defaults() {
        return new ChatTemplateSpec(null, null);
    }
}

package dev.orpo.contracts.request;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The whole recipe of one run: the seed's "Fine-tune Llama 3 with ORPO" notebook as data. Every section has defaults
 * (the seed's values unless a field says otherwise), so {@code {model: ..., dataset: ...}} is a complete request.
 * Validate with {@link RequestValidator}; parse JSON or YAML with {@link RequestParser}.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainingRequest(
        ModelSpec model,
        DatasetSpec dataset,
        ChatTemplateSpec chatTemplate,
        LoraSpec lora,
        QuantizationSpec quantization,
        TrainingArgs training,
        MergeSpec merge,
        EvalSpec eval) {

    public TrainingRequest {
        chatTemplate = chatTemplate == null ? ChatTemplateSpec.defaults() : chatTemplate;
        lora = lora == null ? LoraSpec.defaults() : lora;
        quantization = quantization == null ? QuantizationSpec.defaults() : quantization;
        training = training == null ? TrainingArgs.defaults() : training;
        merge = merge == null ? MergeSpec.defaults() : merge;
        eval = eval == null ? EvalSpec.defaults() : eval;
    }
}

package dev.orpo.contracts.request;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The base model: a Hugging Face layout directory (config.json, safetensors, tokenizer.json), an {@code s3://} URI of
 * one, or a hub id ({@code meta-llama/Meta-Llama-3-8B}, downloaded where a network and HF_TOKEN exist).
 *
 * @param nameOrPath as transformers' {@code from_pretrained}
 * @param revision   hub revision; default {@code main}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ModelSpec(String nameOrPath, String revision) {
    public ModelSpec {
        revision = revision == null ? "main" : revision;
    }

    public static ModelSpec of(String nameOrPath) {
        return new ModelSpec(nameOrPath, null);
    }
}

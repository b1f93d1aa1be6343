package dev.orpo.contracts.request;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The base model: a Hugging Face layout directory (config.json, safetensors, tokenizer.json), an {@code s3://} URI of
 * one, or a hub id ({@code meta-llama/Meta-Llama-3-8B}, downloaded where hub access is enabled).
 *
 * @param nameOrPath as transformers' {@code from_pretrained}; written into adapter_config.json and the model card
 * @param revision   hub revision; default {@code main}
 * @param mirrorUri  set by the pipeline, not by users: the object-store copy ({@code s3://.../models/...}) that
 *                   dataset-service made of a hub or local model, which every later stage reads instead of
 *                   {@code nameOrPath}; null when {@code nameOrPath} is already an {@code s3://} URI
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelSpec(String nameOrPath, String revision, String mirrorUri) {
    public ModelSpec {
        revision = revision == null ? "main" : revision;
    }

    public ModelSpec(String nameOrPath, String revision) {
        this(nameOrPath, revision, null);
    }

    public static ModelSpec of(String nameOrPath) {
        return new ModelSpec(nameOrPath, null, null);
    }

    /** The same model, read from its object-store copy at {@code uri}. */
    public ModelSpec withMirror(String uri) {
        return new ModelSpec(nameOrPath, revision, uri);
    }
}

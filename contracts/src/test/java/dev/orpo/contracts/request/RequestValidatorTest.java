package dev.orpo.contracts.request;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RequestValidatorTest {

    private static List<String> errorsOf(String json) {
        try {
            RequestParser.parse(json, false);
            return List.of();
        } catch (InvalidRequestException e) {
            return e.errors().stream().map(FieldError::toString).toList();
        }
    }

    @Test
    void acceptsLocalPathsS3AndHubDatasets() {
        for (String uri : List.of("data/pairs.jsonl", "/abs/pairs.parquet", "file:///abs/p.json",
                "s3://orpo/p.jsonl", "hf://datasets/mlabonne/orpo-dpo-mix-40k")) {
            assertEquals(List.of(), errorsOf("{\"model\":{\"name_or_path\":\"m\"},\"dataset\":{\"uri\":\"" + uri
                    + "\"}}"), uri);
        }
    }

    @Test
    void pushToHubAcceptsHubRepoIdsAndNamesAMalformedOne() {
        for (String repo : List.of("me/tuned", "OrpoLlama-3-8B", "org.x/llama_3.1-orpo")) {
            assertEquals(List.of(), errorsOf("{\"model\":{\"name_or_path\":\"m\"},\"dataset\":{\"uri\":\"d.jsonl\"},"
                    + "\"merge\":{\"push_to_hub\":\"" + repo + "\"}}"), repo);
        }
        assertEquals(List.of("merge.push_to_hub: must be a hub repo id [namespace/]name (letters, digits, - _ .),"
                        + " was me/tuned/extra"),
                errorsOf("{\"model\":{\"name_or_path\":\"m\"},\"dataset\":{\"uri\":\"d.jsonl\"},"
                        + "\"merge\":{\"push_to_hub\":\"me/tuned/extra\"}}"));
    }

    @Test
    void evalSuiteTakesSuitesAndLmEvalTaskNamesAndDataDirTakesLocalS3OrTheHub() {
        for (String ok : List.of("\"suite\":\"nous\"", "\"suite\":\"gpt4all, truthfulqa_mc2\",\"data_dir\":\"s3://b/p\"",
                "\"suite\":\"agieval\",\"data_dir\":\"/data/lm-eval\"", "\"suite\":\"nous\",\"data_dir\":\"hf://datasets/\"")) {
            assertEquals(List.of(), errorsOf("{\"model\":{\"name_or_path\":\"m\"},\"dataset\":{\"uri\":\"d.jsonl\"},"
                    + "\"eval\":{" + ok + "}}"), ok);
        }
        assertEquals(List.of("eval.suite: unknown suite or task [mmlu]; suites: " + EvalSuites.SUITES
                        + ", tasks: lm-eval names (docs/eval-tasks.md)",
                "eval.data_dir: must be a local directory, s3://bucket/prefix or hf://datasets, was gs://b/x"),
                errorsOf("{\"model\":{\"name_or_path\":\"m\"},\"dataset\":{\"uri\":\"d.jsonl\"},"
                        + "\"eval\":{\"suite\":\"gpt4all,mmlu\",\"data_dir\":\"gs://b/x\"}}"));
        assertEquals(List.of("eval.suite: must name a suite or task (e.g. nous), or be absent"),
                errorsOf("{\"model\":{\"name_or_path\":\"m\"},\"dataset\":{\"uri\":\"d.jsonl\"},"
                        + "\"eval\":{\"suite\":\" , \"}}"));
    }

    @Test
    void hubDatasetWithoutDatasetsPrefixIsRejected() {
        assertEquals(List.of("dataset.uri: hub datasets are written hf://datasets/<org>/<name>"),
                errorsOf("{\"model\":{\"name_or_path\":\"m\"},\"dataset\":{\"uri\":\"hf://mlabonne/x\"}}"));
    }

    @Test
    void promptLongerThanSequenceIsRejected() {
        assertEquals(List.of("training.max_prompt_length: must be < max_length (256)"), errorsOf("""
                {"model":{"name_or_path":"m"},"dataset":{"uri":"d.jsonl"},
                 "training":{"max_length":256,"max_prompt_length":256}}"""));
    }

    @Test
    void unknownLoraTargetIsNamedWithItsIndex() {
        assertEquals(List.of("lora.target_modules[1]: unknown module qkv_proj (one of "
                        + LoraSpec.ALL_LINEAR + ")"), errorsOf("""
                {"model":{"name_or_path":"m"},"dataset":{"uri":"d.jsonl"},
                 "lora":{"target_modules":["q_proj","qkv_proj"]}}"""));
    }

    @Test
    void nf4BlockSizeMustBeAPowerOfTwoOfAtLeastTwo() {
        for (int bad : new int[] {0, 1, 48}) {
            assertEquals(List.of("quantization.block_size: must be a power of two ≥ 2 (whole blocks fill whole bytes "
                    + "of 4-bit codes)"), errorsOf("""
                    {"model":{"name_or_path":"m"},"dataset":{"uri":"d.jsonl"},
                     "quantization":{"mode":"nf4","block_size":%d}}""".formatted(bad)), "block_size " + bad);
        }
        assertEquals(List.of(), errorsOf("""
                {"model":{"name_or_path":"m"},"dataset":{"uri":"d.jsonl"},"quantization":{"mode":"nf4","block_size":64}}"""));
    }

    @Test
    void enumeratedFieldsListTheAllowedValues() {
        assertEquals(List.of("chat_template.mode: must be one of [chatml, model], was zephyr",
                "quantization.mode: must be one of [nf4, none], was int8",
                "merge.dtype: must be one of [bfloat16, float16, float32], was fp8"), errorsOf("""
                {"model":{"name_or_path":"m"},"dataset":{"uri":"d.jsonl"},
                 "chat_template":{"mode":"zephyr"},"quantization":{"mode":"int8"},"merge":{"dtype":"fp8"}}"""));
    }

    @Test
    void nullRequestIsOneError() {
        assertEquals(List.of(new FieldError("", "request is empty")), RequestValidator.validate(null));
    }
}

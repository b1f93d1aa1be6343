package dev.orpo.contracts.request;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestParserTest {
    private static final Path EXAMPLE = Path.of("..", "examples", "llama3-orpo.yaml");

    @Test
    void seedExampleYamlParsesAndValidates() throws Exception {
        TrainingRequest r = RequestParser.parseFile(EXAMPLE);

        assertEquals("meta-llama/Meta-Llama-3-8B", r.model().nameOrPath());
        assertEquals("hf://datasets/mlabonne/orpo-dpo-mix-40k", r.dataset().uri());
        assertEquals(1000, r.dataset().select());
        assertEquals(0.01, r.dataset().testSize());
        assertEquals(ChatTemplateSpec.CHATML, r.chatTemplate().mode());
        assertEquals(16, r.lora().r());
        assertEquals(8e-6, r.training().learningRate());
        assertEquals("float16", r.merge().dtype());
        assertEquals("nous", r.eval().suite());
        assertEquals(EvalSpec.HUB, r.eval().dataDir());
        assertEquals(List.of(), RequestValidator.validate(r));
    }

    @Test
    void jsonAndYamlOfTheSameRequestParseEqual() {
        String json = """
                {"model": {"name_or_path": "/models/tiny"},
                 "dataset": {"uri": "s3://orpo/data/pairs.jsonl", "format": "jsonl"},
                 "lora": {"r": 8, "target_modules": ["q_proj", "v_proj"]},
                 "training": {"max_steps": 5, "learning_rate": 1e-4}}
                """;
        String yaml = """
                model: {name_or_path: /models/tiny}
                dataset:
                  uri: s3://orpo/data/pairs.jsonl
                  format: jsonl
                lora:
                  r: 8
                  target_modules: [q_proj, v_proj]
                training:
                  max_steps: 5
                  learning_rate: 1.0e-4
                """;
        TrainingRequest fromJson = RequestParser.parse(json, false);
        TrainingRequest fromYaml = RequestParser.parse(yaml, true);

        assertEquals(fromJson, fromYaml);
        assertEquals(5, fromJson.training().maxSteps());
        assertEquals(List.of("q_proj", "v_proj"), fromJson.lora().targetModules());
    }

    @Test
    void leftOutFieldsTakeTheSeedNotebooksValues() throws Exception {
        TrainingRequest minimal = RequestParser.parse("""
                {"model": {"name_or_path": "m"}, "dataset": {"uri": "data/pairs.parquet"}}
                """, false);
        TrainingRequest seed = RequestParser.parseFile(EXAMPLE);

        // every training argument the seed notebook set is also the default
        assertEquals(seed.training(), minimal.training());
        assertEquals(seed.lora().r(), minimal.lora().r());
        assertEquals(seed.lora().loraAlpha(), minimal.lora().loraAlpha());
        assertEquals(seed.lora().loraDropout(), minimal.lora().loraDropout());
        assertEquals(Set.copyOf(seed.lora().targetModules()), Set.copyOf(minimal.lora().targetModules()));
        assertEquals(seed.dataset().shuffleSeed(), minimal.dataset().shuffleSeed());
        assertEquals(seed.dataset().testSize(), minimal.dataset().testSize());
        // the named seed values
        TrainingArgs t = minimal.training();
        assertEquals(8e-6, t.learningRate());
        assertEquals(0.1, t.beta());
        assertEquals("linear", t.lrSchedulerType());
        assertEquals(10, t.warmupSteps());
        assertEquals(1024, t.maxLength());
        assertEquals(512, t.maxPromptLength());
        assertEquals(2, t.perDeviceTrainBatchSize());
        assertEquals(2, t.perDeviceEvalBatchSize());
        assertEquals(4, t.gradientAccumulationSteps());
        assertEquals(1.0, t.numTrainEpochs());
        assertEquals(0.2, t.evalSteps());
        assertEquals(1, t.loggingSteps());
        assertEquals(42L, t.seed());
        // deliberate departures from the seed, documented in docs/request.md
        assertEquals(ChatTemplateSpec.MODEL, minimal.chatTemplate().mode());
        assertEquals(QuantizationSpec.NONE, minimal.quantization().mode());
        assertEquals(false, t.gradientCheckpointing()); // the seed's QLoRA preparation turned it on
        assertEquals(0, t.logitsChunkSize()); // ours, not TRL's: auto (chunked only when the full logits are large)
        assertNull(minimal.merge().dtype());
        assertNull(minimal.dataset().select());
    }

    @Test
    void threeBadFieldsYieldExactlyThreePreciseErrors() {
        String yaml = """
                model: {name_or_path: m}
                dataset: {uri: "ftp://example.org/pairs.jsonl"}
                lora: {r: 0}
                training: {learning_rat: 1.0e-5}
                """;
        var e = assertThrows(InvalidRequestException.class, () -> RequestParser.parse(yaml, true));

        assertEquals(3, e.errors().size(), e.errors().toString());
        assertEquals(Set.of(
                "training.learning_rat: unknown field",
                "dataset.uri: scheme ftp not allowed (use a path, s3:// or hf://datasets/)",
                "lora.r: must be > 0"), Set.copyOf(e.errors().stream().map(FieldError::toString).toList()));
        assertTrue(e.getMessage().contains("lora.r: must be > 0"));
    }

    @Test
    void gradientCheckpointingIsABooleanNamedInItsError() {
        String base = """
                {"model": {"name_or_path": "m"}, "dataset": {"uri": "d.jsonl"},
                 "training": {"gradient_checkpointing": %s}}
                """;
        assertTrue(RequestParser.parse(base.formatted("true"), false).training().gradientCheckpointing());
        var e = assertThrows(InvalidRequestException.class,
                () -> RequestParser.parse(base.formatted("\"sometimes\""), false));
        assertTrue(e.errors().get(0).toString().startsWith("training.gradient_checkpointing"), e.getMessage());
    }

    @Test
    void logitsChunkSizeIsFullAutoOrACountNamedInItsError() {
        String base = """
                {"model": {"name_or_path": "m"}, "dataset": {"uri": "d.jsonl"},
                 "training": {"logits_chunk_size": %s}}
                """;
        assertEquals(512, RequestParser.parse(base.formatted("512"), false).training().logitsChunkSize());
        assertEquals(-1, RequestParser.parse(base.formatted("-1"), false).training().logitsChunkSize()); // full
        var e = assertThrows(InvalidRequestException.class,
                () -> RequestParser.parse(base.formatted("-2"), false));
        assertTrue(e.errors().get(0).toString().startsWith("training.logits_chunk_size"), e.getMessage());
    }

    @Test
    void unknownFieldsAreNamedWithTheirFullPathAtAnyDepth() {
        String json = """
                {"modle": {"name_or_path": "m"}, "model": {"name_or_path": "m"},
                 "dataset": {"uri": "d.jsonl", "filters": {"min_char": 3}}}
                """;
        var e = assertThrows(InvalidRequestException.class, () -> RequestParser.parse(json, false));

        assertEquals(List.of(new FieldError("modle", "unknown field"),
                new FieldError("dataset.filters.min_char", "unknown field")), e.errors());
    }

    @Test
    void missingModelAndDatasetAreBothReported() {
        var e = assertThrows(InvalidRequestException.class, () -> RequestParser.parse("{}", false));

        assertEquals(List.of("model.name_or_path", "dataset.uri"),
                e.errors().stream().map(FieldError::path).toList());
    }

    @Test
    void wrongTypeNamesTheField() {
        String yaml = """
                model: {name_or_path: m}
                dataset: {uri: d.jsonl}
                lora: {r: sixteen}
                """;
        var e = assertThrows(InvalidRequestException.class, () -> RequestParser.parse(yaml, true));

        assertEquals(1, e.errors().size());
        assertEquals("lora.r", e.errors().get(0).path());
        assertTrue(e.errors().get(0).reason().startsWith("wrong type"), e.errors().get(0).reason());
    }

    @Test
    void malformedYamlIsOneErrorSayingSo() {
        var e = assertThrows(InvalidRequestException.class,
                () -> RequestParser.parse("model: [unclosed", true));

        assertEquals(1, e.errors().size());
        assertTrue(e.errors().get(0).reason().startsWith("not valid YAML"), e.errors().get(0).reason());
    }

    @Test
    void emptyDocumentAndNonMappingAreRejected() {
        var empty = assertThrows(InvalidRequestException.class, () -> RequestParser.parse("", true));
        var list = assertThrows(InvalidRequestException.class, () -> RequestParser.parse("[1, 2]", false));

        assertEquals(List.of(new FieldError("", "request is empty")), empty.errors());
        assertEquals(List.of(new FieldError("", "must be a mapping of sections")), list.errors());
    }
}

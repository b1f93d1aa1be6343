package dev.orpo.stages.evaluate;

import dev.orpo.contracts.request.EvalSpec;
import dev.orpo.contracts.request.RequestParser;
import dev.orpo.contracts.request.TrainingRequest;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orpo.model.eval.EvalReport;
import dev.orpo.model.eval.ModelScores;
import dev.orpo.model.eval.ReportHistory;
import dev.orpo.model.generate.GenerationConfig;
import dev.orpo.model.generate.PromptSample;
import dev.orpo.model.generate.PromptSamples;
import dev.orpo.model.generate.SamplingConfig;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.synthetic.SyntheticChatTokenizer;
import dev.orpo.model.text.HfTokenizer;
import dev.orpo.stages.train.PreparedDataset;
import dev.orpo.stages.train.StageFailure;
import dev.orpo.stages.train.SyntheticPrepared;
import dev.orpo.stages.train.TrainStage;
import dev.orpo.stages.train.TrainStageListener;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunEvaluationTest {
    @TempDir
    static Path dir;
    static Path model;
    static PreparedDataset data;
    static TrainingRequest request;
    static TrainStage.Outcome trained;

    @BeforeAll
    static void train() {
        model = SyntheticPrepared.model(dir.resolve("model"), 7);
        Path prepared = SyntheticPrepared.dataset(dir.resolve("dataset"), 12, 4, 11);
        data = PreparedDataset.read(prepared);
        request = RequestParser.parse("""
                {"model": {"name_or_path": "tiny"}, "dataset": {"uri": "s3://orpo/d.jsonl"},
                 "lora": {"r": 4, "lora_alpha": 8},
                 "training": {"learning_rate": 0.001, "warmup_steps": 0, "per_device_train_batch_size": 2,
                   "per_device_eval_batch_size": 4, "gradient_accumulation_steps": 1, "max_steps": 2,
                   "eval_steps": 1, "save_steps": 1, "seed": 3}}""", false);
        trained = TrainStage.run(request, new TrainStage.Inputs(model, "tiny", prepared, 0, dir.resolve("out"), null),
                new TrainStageListener() { }, () -> false);
    }

    @Test
    void checkpointsAreScoredAgainstABaseComputedOnceWithTheTrainersEvalMetrics() {
        RunEvaluation run = new RunEvaluation(model, data.test(), List.of(), EvalSpec.defaults(),
                request.training(), null);
        RunEvaluation.Result first = run.evaluateCheckpoint(1, dir.resolve("out/checkpoints/step-1"));
        RunEvaluation.Result second = run.evaluateCheckpoint(2, dir.resolve("out/checkpoints/step-2"));

        assertSame(first.report().rows().get(0), second.report().rows().get(0), "base scored once");
        assertEquals(List.of(1L, 2L), second.report().history().stream().map(c -> c.step()).toList());
        Map<String, Map<String, Double>> table = second.report().table();
        assertEquals(List.of("base", "tuned"), List.copyOf(table.keySet()));
        ModelScores tuned = second.tuned();
        for (String name : List.of("eval_loss", "eval_nll_loss", "eval_rewards/margins", "eval_log_odds_ratio")) {
            assertEquals(trained.finalMetrics().get(name), tuned.metrics().get(name), 1e-4, name);
        }
        assertTrue(table.get("base").get("eval_loss") > table.get("tuned").get("eval_loss"), table.toString());
    }

    @Test
    void aRestoredHistoryIsContinuedAndAStepEvaluatedAgainReplacesItsEntry() {
        RunEvaluation before = new RunEvaluation(model, data.test(), List.of(), EvalSpec.defaults(),
                request.training(), null);
        RunEvaluation.Result one = before.evaluateCheckpoint(1, dir.resolve("out/checkpoints/step-1"));

        RunEvaluation restarted = new RunEvaluation(model, data.test(), List.of(), EvalSpec.defaults(),
                request.training(), null);
        restarted.restoreHistory(ReportHistory.read(one.report().json()));
        restarted.evaluateCheckpoint(2, dir.resolve("out/checkpoints/step-2"));
        RunEvaluation.Result again = restarted.evaluateCheckpoint(2, dir.resolve("out/checkpoints/step-2"));

        assertEquals(List.of(1L, 2L), again.report().history().stream().map(c -> c.step()).toList());
        assertEquals(one.tuned().metrics().get("eval_loss"),
                again.report().history().get(0).scores().columns().get("eval_loss"), 1e-12);
    }

    @Test
    void aCheckpointThatCannotBeLoadedFailsNamingIt() throws Exception {
        Path broken = dir.resolve("broken");
        Files.createDirectories(broken);
        Files.writeString(broken.resolve("adapter_config.json"), "{}");
        RunEvaluation run = new RunEvaluation(model, data.test(), List.of(), EvalSpec.defaults(),
                request.training(), null);
        StageFailure e = assertThrows(StageFailure.class, () -> run.evaluateCheckpoint(3, broken));
        assertTrue(e.getMessage().contains(broken.toString()), e.getMessage());
    }

    private static final List<String> PROMPTS = List.of("sort 3 1 2", "what color is the sky ?");

    private static EvalSpec withPrompts(int maxNewTokens) {
        return new EvalSpec(null, null, null, null, null, PROMPTS, maxNewTokens);
    }

    /** What PromptSamples answers for the model (+ adapter) with the tokenizer, greedy. */
    private static List<String> expectedReplies(Path modelDir, Path adapterDir, Path tokenizerDir, int maxNew)
            throws Exception {
        try (NDManager m = NDManager.newBaseManager(); LlamaModel lm = PretrainedLlama.load(modelDir, adapterDir, m);
             HfTokenizer tokenizer = HfTokenizer.load(tokenizerDir)) {
            return new PromptSamples(lm, tokenizer, m).generate(PROMPTS,
                    new GenerationConfig(maxNew, Set.of(), SamplingConfig.GREEDY)).stream()
                    .map(PromptSample::reply).toList();
        }
    }

    @Test
    void promptsGetGreedyRepliesOfTheBaseAndTheCheckpointInTheReport() throws Exception {
        Path tokenizer = SyntheticChatTokenizer.write(dir.resolve("run-tokenizer"));
        RunEvaluation run = new RunEvaluation(model, data.test(), List.of(), withPrompts(6),
                request.training(), tokenizer);
        run.evaluateCheckpoint(1, dir.resolve("out/checkpoints/step-1"));
        EvalReport report = run.evaluateCheckpoint(2, dir.resolve("out/checkpoints/step-2")).report();

        List<String> base = expectedReplies(model, null, tokenizer, 6);
        List<String> tuned = expectedReplies(model, dir.resolve("out/checkpoints/step-2"), tokenizer, 6);
        assertEquals(PROMPTS, report.samples().stream().map(EvalReport.Sample::prompt).toList());
        for (int i = 0; i < PROMPTS.size(); i++) {
            assertEquals(Map.of("base", base.get(i), "tuned", tuned.get(i)), report.samples().get(i).replies());
        }
        assertTrue(base.stream().anyMatch(r -> !r.isEmpty()), "the base says something: " + base);
        JsonNode json = new ObjectMapper().readTree(report.json());
        assertEquals(tuned.get(1), json.get("samples").get(1).get("replies").get("tuned").asText());
        assertTrue(report.markdown().contains("### Samples\n\n| Prompt | base | tuned |\n"), report.markdown());
        assertEquals(List.of("base", "tuned"), List.copyOf(report.table().keySet()), "the table stays numbers only");
    }

    @Test
    void aMergedModelGeneratesWithTheTokenizerFilesInItsOwnDirectory() throws Exception {
        Path tokenizer = SyntheticChatTokenizer.write(dir.resolve("run-tokenizer-2"));
        Path merged = SyntheticPrepared.model(dir.resolve("merged"), 7);
        RunEvaluation run = new RunEvaluation(model, data.test(), List.of(), withPrompts(3),
                request.training(), tokenizer);
        assertEquals(expectedReplies(merged, null, tokenizer, 3).get(0),
                run.evaluateMerged(2, merged).report().samples().get(0).replies().get("tuned"));

        // the merged directory's own tokenizer wins: one without a chat template fails naming that directory
        SyntheticChatTokenizer.write(merged);
        Files.writeString(merged.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\", \"eos_token\": \"</s>\"}");
        StageFailure e = assertThrows(StageFailure.class, () -> run.evaluateMerged(3, merged));
        assertEquals("eval.prompts", e.field());
        assertTrue(e.getMessage().contains(merged.toString()) && e.getMessage().contains("chat_template"),
                e.getMessage());
    }

    @Test
    void promptsWithoutATokenizerFailNamingTheField() {
        StageFailure e = assertThrows(StageFailure.class, () -> new RunEvaluation(model, data.test(), List.of(),
                withPrompts(4), request.training(), null));
        assertEquals("eval.prompts", e.field());
    }
}

package dev.orpo.model.eval;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orpo.model.generate.GenerationResult.StopReason;
import dev.orpo.model.generate.GoldenModels;
import dev.orpo.model.generate.PromptSample;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.score.ScoreConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalReportTest {

    private static TaskResult task(String name, int correct, int correctNorm, int n) {
        return task(name, correct, correctNorm, n, EnumSet.of(Metric.ACC, Metric.ACC_NORM));
    }

    private static TaskResult task(String name, int correct, int correctNorm, int n, Set<Metric> metrics) {
        List<DocResult> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            docs.add(new DocResult(new double[] {0, 0}, List.of(0), i < correct ? 0 : 1, i < correctNorm ? 0 : 1));
        }
        return TaskResult.ofChoices(name, metrics, docs);
    }

    @Test
    void tableHasOneRowPerModelWithAccAccNormAverageAndPreferenceColumns() throws Exception {
        ModelScores base = new ModelScores("base", Map.of("arc", task("arc", 1, 2, 4)), Map.of());
        ModelScores tuned = new ModelScores("tuned", Map.of("arc", task("arc", 3, 4, 4)),
                Map.of("eval_loss", 1.25));
        EvalReport report = EvalReport.of(base, tuned).withCheckpoint(10, tuned);
        assertEquals(Map.of("average", 50.0, "arc/acc", 25.0, "arc/acc_norm", 50.0), report.table().get("base"));
        assertEquals(100.0, report.table().get("tuned").get("average"));
        String md = report.markdown();
        assertEquals("| Model | average |\n|---|---:|\n| base | 50.00 |\n| tuned | 100.00 |\n\n"
                + "| Task | Metric | base | tuned | change |\n|---|---|---:|---:|---:|\n"
                + "| arc | acc | 25.00 | 75.00 | +50.00 |\n"
                + "|  | acc_norm | 50.00 | 100.00 | +50.00 |\n\n"
                + "| Metric | base | tuned | change |\n|---|---:|---:|---:|\n"
                + "| eval_loss |  | 1.2500 |  |\n", md);
        JsonNode json = new ObjectMapper().readTree(report.json());
        assertEquals(75.0, json.get("table").get("tuned").get("arc/acc").asDouble());
        assertEquals(4, json.get("tasks").get("base").get("arc").get("n").asInt());
        assertEquals(10, json.get("history").get(0).get("step").asInt());
    }

    @Test
    void suitesAverageTheirTasksHeadlineFiguresAndTheAverageIsTheirMean() throws Exception {
        Map<String, TaskResult> tasks = new LinkedHashMap<>();
        tasks.put("arc_easy", task("arc_easy", 1, 3, 4)); // acc_norm 75 counts
        tasks.put("boolq", task("boolq", 1, 0, 4, EnumSet.of(Metric.ACC))); // acc 25 counts
        tasks.put("truthfulqa_mc1", task("truthfulqa_mc1", 4, 0, 4, EnumSet.of(Metric.ACC))); // reported only
        tasks.put("truthfulqa_mc2", new TaskResult("truthfulqa_mc2", 2, Map.of(Metric.MC2, 0.4), List.of(),
                List.of()));
        tasks.put("sort_gen", TaskResult.ofReplies("sort_gen", List.of(new TaskResult.Reply("sort: b a", "a b", "a b"),
                new TaskResult.Reply("sort: d c", "c d", "d c"))));
        Map<String, Double> row = new ModelScores("tuned", tasks, Map.of()).columns();
        assertEquals(List.of("GPT4All", "TruthfulQA", "average", "arc_easy/acc", "arc_easy/acc_norm", "boolq/acc",
                "truthfulqa_mc1/acc", "truthfulqa_mc2/mc2", "sort_gen/exact_match"), List.copyOf(row.keySet()));
        assertEquals(50.0, row.get("GPT4All"), 1e-9);
        assertEquals(40.0, row.get("TruthfulQA"), 1e-9, "mc2 alone, as the seed's table");
        assertEquals((50.0 + 40.0 + 50.0) / 3, row.get("average"), 1e-9, "suites and tasks outside any suite");
        EvalReport report = EvalReport.of(new ModelScores("tuned", tasks, Map.of()));
        assertTrue(report.markdown().startsWith("| Model | GPT4All | TruthfulQA | average |\n|---|---:|---:|---:|\n"
                + "| tuned | 50.00 | 40.00 | 46.67 |\n\n| Task | Metric | tuned |\n"), report.markdown());
        JsonNode json = new ObjectMapper().readTree(report.json());
        JsonNode gen = json.get("tasks").get("tuned").get("sort_gen");
        assertEquals(0.5, gen.get("exact_match").asDouble());
        assertEquals("d c", gen.get("replies").get(1).get("reply").asText());
        assertFalse(gen.get("replies").get(1).get("exact").asBoolean());
        assertEquals(0.4, json.get("tasks").get("tuned").get("truthfulqa_mc2").get("mc2").asDouble());
    }

    private static PromptSample sample(String prompt, String reply) {
        return new PromptSample(prompt, reply, new int[] {7}, StopReason.STOP_TOKEN);
    }

    @Test
    void samplesFollowTheScoresInMarkdownAndJsonWithOneReplyPerModel() throws Exception {
        ModelScores base = new ModelScores("base", Map.of(), Map.of("eval_loss", 2.0));
        ModelScores tuned = new ModelScores("tuned", Map.of(), Map.of("eval_loss", 1.0));
        EvalReport report = EvalReport.of(base, tuned)
                .withSamples("base", List.of(sample("hi", "blue sky"), sample("sort 2 1", "2 1")))
                .withSamples("tuned", List.of(sample("hi", "hello"), sample("sort 2 1", "1 2")))
                .withCheckpoint(5, tuned);
        assertEquals("| Metric | base | tuned | change |\n|---|---:|---:|---:|\n| eval_loss | 2.0000 | 1.0000 | -1.0000 |\n"
                + "\n### Samples\n\n| Prompt | base | tuned |\n|---|---|---|\n"
                + "| hi | blue sky | hello |\n| sort 2 1 | 2 1 | 1 2 |\n", report.markdown());
        JsonNode json = new ObjectMapper().readTree(report.json());
        assertEquals("sort 2 1", json.get("samples").get(1).get("prompt").asText());
        assertEquals("1 2", json.get("samples").get(1).get("replies").get("tuned").asText());
        assertEquals("blue sky", json.get("samples").get(0).get("replies").get("base").asText());
        assertEquals(1.0, json.get("table").get("tuned").get("eval_loss").asDouble(), "existing fields unchanged");
        assertEquals(5, json.get("history").get(0).get("step").asInt());
    }

    @Test
    void sampleRepliesAreEscapedForMarkdownTables() {
        EvalReport report = EvalReport.of(new ModelScores("base", Map.of(), Map.of()))
                .withSamples("base", List.of(sample("a | b\nc", "line one\r\nline | two\n\u0016\t")));
        String last = report.markdown().lines().reduce((a, b) -> b).orElseThrow();
        assertEquals("| a \\| b<br>c | line one<br>line \\| two<br>\\x16\\x09 |", last);
        assertEquals(3, last.split("(?<!\\\\)\\|", -1).length - 1, "three unescaped pipes: two cells");
    }

    @Test
    void repliesToOtherPromptsThanTheSamplesAreRejected() {
        EvalReport report = EvalReport.of().withSamples("base", List.of(sample("one", "x")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> report.withSamples("tuned", List.of(sample("two", "y"))));
        assertTrue(e.getMessage().contains("tuned") && e.getMessage().contains("one"), e.getMessage());
        assertTrue(EvalReport.of().markdown().indexOf("Samples") < 0, "no samples section without samples");
    }

    @Test
    void preferenceEvalReportsTheScorersSummaryUnderTrlEvalNames() throws Exception {
        Path dir = GoldenModels.dir("llama3-gqa-f32");
        JsonNode orpo = new ObjectMapper().readTree(dir.resolve("golden.json").toFile()).get("orpo");
        List<PreferencePair> pairs = new ArrayList<>();
        for (JsonNode p : orpo.get("pairs")) {
            pairs.add(PreferencePair.ofIds(ints(p.get("prompt")), ints(p.get("chosen")), ints(p.get("rejected"))));
        }
        try (NDManager m = NDManager.newBaseManager(); LlamaModel model = GoldenModels.tuned("llama3-gqa-f32", m)) {
            EvalSettings settings = new EvalSettings(FewShot.ZERO, null, 4,
                    new ScoreConfig(orpo.get("beta").asDouble(), true, 2, orpo.get("pad_token_id").asLong()));
            ModelScores scores = new Evaluator(MultipleChoiceTest.CHARS, 1, settings).evaluate(
                    new Evaluator.Subject("tuned", model::logits, 128, m, null),
                    new Evaluator.Inputs(List.of(), pairs, Map.of()));
            assertEquals(orpo.get("loss").asDouble(), scores.metrics().get("eval_loss"), 1e-4);
            assertEquals(orpo.get("metrics").get("nll_loss").asDouble(), scores.metrics().get("eval_nll_loss"), 1e-4);
            assertTrue(scores.metrics().keySet().stream().allMatch(k -> k.startsWith("eval_")));
            assertTrue(scores.tasks().isEmpty());
        }
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }
}

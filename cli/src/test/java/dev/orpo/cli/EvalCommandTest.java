package dev.orpo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ai.djl.ndarray.NDManager;
import dev.orpo.model.generate.Decoder;
import dev.orpo.model.generate.GenerationConfig;
import dev.orpo.model.generate.Generator;
import dev.orpo.model.generate.RecomputeDecoder;
import dev.orpo.model.generate.SamplingConfig;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.text.ChatMessage;
import dev.orpo.model.text.ChatTemplate;
import dev.orpo.model.text.HfTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalCommandTest {
    private static final String TASK = String.join("\n",
            "{\"context\": \"what color is the sky ?\", \"choices\": [\"blue\", \"green\", \"red\"], \"gold\": 0}",
            "{\"context\": \"what color is snow ?\", \"choices\": [\"white\", \"red\"], \"gold\": 0}",
            "{\"context\": \"the cat sat on the\", \"choices\": [\"mat\", \"moon\", \"tree\"], \"gold\": 0}",
            "{\"context\": \"the bird\", \"choices\": [\"sings\", \"eats food\"], \"gold\": 0}") + "\n";

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private static Run eval(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new EvalCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Run(cl.execute(args), out.toString(), err.toString());
    }

    private Path pairs() throws Exception {
        JsonNode orpo = new ObjectMapper().readTree(TinyChatModel.GOLDEN.resolve("golden.json").toFile()).get("orpo");
        StringBuilder rows = new StringBuilder();
        for (JsonNode p : orpo.get("pairs")) {
            rows.append("{\"prompt_ids\":").append(p.get("prompt")).append(",\"chosen_ids\":").append(p.get("chosen"))
                    .append(",\"rejected_ids\":").append(p.get("rejected")).append("}\n");
        }
        return Files.writeString(dir.resolve("pairs.jsonl"), rows);
    }

    @Test
    void printsBaseVersusTunedWithTaskAndPreferenceColumns() throws Exception {
        Path model = TinyChatModel.create(Files.createDirectories(dir.resolve("model")));
        Path tasks = Files.createDirectories(dir.resolve("tasks"));
        Files.writeString(tasks.resolve("colors.jsonl"), TASK);
        Path report = dir.resolve("report.json");
        Run run = eval("--model", model.toString(), "--adapter", model.toString(), "--tasks", tasks.toString(),
                "--num-fewshot", "1", "--limit", "3", "--pairs", pairs().toString(), "--json", report.toString(),
                "--batch-size", "2", "--perplexity", Files.writeString(dir.resolve("story.txt"),
                        "the cat sat on the mat . the dog runs up the tree !").toString());
        assertEquals(0, run.exit(), run.err());
        String[] lines = run.out().split("\n");
        assertEquals("| Model | average |", lines[0], run.out());
        assertTrue(lines[2].startsWith("| base | "), lines[2]);
        assertTrue(lines[3].startsWith("| tuned | "), lines[3]);
        assertEquals("| Task | Metric | base | tuned | change |", lines[5], run.out());
        assertTrue(lines[7].startsWith("| colors | acc | ") && lines[8].startsWith("|  | acc_norm | "), run.out());
        assertEquals("| Metric | base | tuned | change |", lines[10], run.out());
        assertTrue(lines[12].startsWith("| eval_loss | "), run.out());
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertEquals(3, json.get("tasks").get("tuned").get("colors").get("n").asInt());
        double tunedLoss = json.get("table").get("tuned").get("eval_loss").asDouble();
        JsonNode golden = new ObjectMapper().readTree(TinyChatModel.GOLDEN.resolve("golden.json").toFile());
        assertEquals(golden.get("orpo").get("loss").asDouble(), tunedLoss, 1e-4); // the adapter was applied
        double ppl = json.get("table").get("tuned").get("perplexity/story").asDouble();
        assertTrue(ppl > 1 && Double.isFinite(ppl), "perplexity " + ppl);
        assertTrue(lines[lines.length - 1].startsWith("| perplexity/story | "), run.out());
        assertNotEquals(tunedLoss, json.get("table").get("base").get("eval_loss").asDouble(), 1e-6);
    }

    @Test
    void noCompareBaseEvaluatesOnlyTheTunedModel() throws Exception {
        Path model = TinyChatModel.create(Files.createDirectories(dir.resolve("model")));
        Path task = Files.writeString(dir.resolve("colors.jsonl"), TASK);
        Run run = eval("--model", model.toString(), "--adapter", model.toString(), "--tasks", task.toString(),
                "--no-compare-base");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().startsWith("| Model | average |\n|---|---:|\n| tuned | "), run.out());
        assertTrue(run.out().contains("| Task | Metric | tuned |\n"), run.out());
    }

    @Test
    void aBadTaskFileFailsNamingFileAndLine() throws Exception {
        Path model = TinyChatModel.create(Files.createDirectories(dir.resolve("model")));
        Path task = Files.writeString(dir.resolve("bad.jsonl"), TASK + "{\"context\": \"x\", \"choices\": []}\n");
        Run run = eval("--model", model.toString(), "--tasks", task.toString());
        assertEquals(ExitCodes.BAD_INPUT, run.exit());
        assertTrue(run.err().contains(task + " line 5: field choices must be a non-empty array"), run.err());
        assertEquals(ExitCodes.BAD_INPUT, eval("--model", model.toString()).exit());
    }

    /** Greedy reply computed independently: full-recompute decoding, stops </s> (2) and <|end|> (7). */
    private static String expectedReply(Path model, Path adapter, String prompt, int maxNew) throws Exception {
        try (HfTokenizer tok = HfTokenizer.load(model); NDManager m = NDManager.newBaseManager();
             LlamaModel lm = PretrainedLlama.load(model, adapter, m); Decoder d = new RecomputeDecoder(lm, m)) {
            int[] ids = tok.encode(ChatTemplate.of(tok).render(List.of(ChatMessage.user(prompt)), true, tok));
            return tok.decode(Generator.generate(d, ids, new GenerationConfig(maxNew, Set.of(2, 7),
                    SamplingConfig.GREEDY), t -> { }).tokens(), true);
        }
    }

    @Test
    void promptsAddGreedyRepliesOfBaseAndTunedToTheReportAndJson() throws Exception {
        Path model = TinyChatModel.create(Files.createDirectories(dir.resolve("model")));
        Path report = dir.resolve("report.json");
        List<String> prompts = List.of("hello world", "what color is the sky ?");
        Run run = eval("--model", model.toString(), "--adapter", model.toString(), "--pairs", pairs().toString(),
                "--prompt", prompts.get(0), "--prompt", prompts.get(1), "--max-new-tokens", "5",
                "--json", report.toString());
        assertEquals(0, run.exit(), run.err());
        JsonNode samples = new ObjectMapper().readTree(report.toFile()).get("samples");
        assertEquals(2, samples.size());
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 2; i++) {
            String base = expectedReply(model, null, prompts.get(i), 5);
            String tuned = expectedReply(model, model, prompts.get(i), 5);
            assertEquals(prompts.get(i), samples.get(i).get("prompt").asText());
            assertEquals(base, samples.get(i).get("replies").get("base").asText());
            assertEquals(tuned, samples.get(i).get("replies").get("tuned").asText());
            rows.append("| ").append(prompts.get(i)).append(" | ").append(base).append(" | ").append(tuned)
                    .append(" |\n");
        }
        assertTrue(run.out().endsWith("### Samples\n\n| Prompt | base | tuned |\n|---|---|---|\n" + rows),
                run.out());
        assertTrue(run.out().startsWith("| Metric | base | tuned | change |\n"), run.out());
    }

    @Test
    void promptsAloneAreEnoughToEvaluateAndABadMaxNewTokensIsABadInput() throws Exception {
        Path model = TinyChatModel.create(Files.createDirectories(dir.resolve("model")));
        Run run = eval("--model", model.toString(), "--prompt", "hello");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("| Prompt | base |\n|---|---|\n| hello | "
                + expectedReply(model, null, "hello", 64) + " |\n"), run.out());
        Run bad = eval("--model", model.toString(), "--prompt", "hello", "--max-new-tokens", "0");
        assertEquals(ExitCodes.BAD_INPUT, bad.exit());
        assertTrue(bad.err().contains("--max-new-tokens must be >= 1"), bad.err());
    }

    @Test
    void aSuiteIsReadFromHubSchemaFilesAndAveragedAsTheSeedsTable() throws Exception {
        Path model = TinyChatModel.create(Files.createDirectories(dir.resolve("model")));
        Path data = dir.resolve("data");
        Files.createDirectories(data.resolve("allenai/ai2_arc/ARC-Easy"));
        Files.writeString(data.resolve("allenai/ai2_arc/ARC-Easy/test.jsonl"), String.join("\n",
                "{\"id\": \"1\", \"question\": \"what color is the sky ?\", \"choices\": {\"text\": [\"blue\", \"red\"],"
                        + " \"label\": [\"A\", \"B\"]}, \"answerKey\": \"A\"}",
                "{\"id\": \"2\", \"question\": \"what color is grass ?\", \"choices\": {\"text\": [\"white\", \"green\","
                        + " \"red\"], \"label\": [\"1\", \"2\", \"3\"]}, \"answerKey\": \"2\"}") + "\n");
        Files.createDirectories(data.resolve("allenai/winogrande/winogrande_xl"));
        Files.writeString(data.resolve("allenai/winogrande/winogrande_xl/validation.jsonl"),
                "{\"sentence\": \"the cat sat on the _ .\", \"option1\": \"mat\", \"option2\": \"sky\", \"answer\": \"1\"}\n");
        Path gen = Files.writeString(dir.resolve("greet.jsonl"), "{\"prompt\": \"hello\", \"target\": \"world\"}\n");
        Path report = dir.resolve("suite.json");
        Run run = eval("--model", model.toString(), "--adapter", model.toString(), "--suite", "arc_easy,winogrande",
                "--data-dir", data.toString(), "--tasks", gen.toString(), "--max-new-tokens", "3", "--json",
                report.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().startsWith("| Model | GPT4All | average |\n"), run.out());
        JsonNode tuned = new ObjectMapper().readTree(report.toFile()).get("table").get("tuned");
        assertEquals((tuned.get("arc_easy/acc_norm").asDouble() + tuned.get("winogrande/acc").asDouble()) / 2,
                tuned.get("GPT4All").asDouble(), 1e-9, "acc_norm where reported, else acc");
        assertEquals((tuned.get("GPT4All").asDouble() + tuned.get("greet/exact_match").asDouble()) / 2,
                tuned.get("average").asDouble(), 1e-9, "the suite and the task outside any suite");
        assertTrue(!tuned.has("winogrande/acc_norm"), "winogrande reports acc only, as lm-eval");
        JsonNode reply = new ObjectMapper().readTree(report.toFile()).get("tasks").get("tuned").get("greet")
                .get("replies").get(0);
        assertEquals(expectedReply(model, model, "hello", 3), reply.get("reply").asText());

        Run unknown = eval("--model", model.toString(), "--suite", "gpt4all,mmlu", "--data-dir", data.toString());
        assertEquals(ExitCodes.BAD_INPUT, unknown.exit());
        assertTrue(unknown.err().contains("unknown suite or task 'mmlu'"), unknown.err());
        Run missing = eval("--model", model.toString(), "--suite", "boolq", "--data-dir", data.toString());
        assertEquals(ExitCodes.BAD_INPUT, missing.exit());
        assertTrue(missing.err().contains("boolq: no validation split under " + data + "/aps/super_glue/boolq/"),
                missing.err());
    }
}

package dev.orpo.cli;

import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.text.ChatMessage;
import dev.orpo.model.text.ChatTemplate;
import dev.orpo.model.text.HfTokenizer;
import dev.orpo.model.text.PreferenceExample;
import dev.orpo.model.text.PreferenceTokenizationConfig;
import dev.orpo.model.text.PreferenceTokenizer;
import dev.orpo.stages.demo.DemoAssets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code orpo score} on text rows equals scoring the same rows tokenized by TRL's rules and given as ids. */
class ScoreTextRowsTest {
    @TempDir
    Path dir;

    @Test
    void textRowsScoreExactlyAsTheirTokenizedIdRows() throws Exception {
        Path model = DemoAssets.writeModel(dir.resolve("model"), DemoAssets.Spec.small());
        Path text = dir.resolve("text.jsonl");
        Files.writeString(text, String.join("\n",
                "{\"chosen\":[{\"role\":\"user\",\"content\":\"sort: c a b\"},{\"role\":\"assistant\",\"content\":\"sorted: a b c\"}],"
                        + "\"rejected\":[{\"role\":\"user\",\"content\":\"sort: c a b\"},{\"role\":\"assistant\",\"content\":\"sorted: b a c\"}]}",
                "{\"prompt\":\"sort: d b\",\"chosen\":\"sorted: b d\",\"rejected\":\"sorted: d b\"}", ""));
        List<PreferencePair> expected;
        try (HfTokenizer tokenizer = HfTokenizer.load(model)) {
            var pt = new PreferenceTokenizer(tokenizer, ChatTemplate.of(tokenizer), PreferenceTokenizationConfig.DEFAULTS);
            expected = List.of(
                    pt.tokenize(PreferenceExample.sharedPrompt(
                            List.of(ChatMessage.user("sort: c a b"), ChatMessage.assistant("sorted: a b c")),
                            List.of(ChatMessage.user("sort: c a b"), ChatMessage.assistant("sorted: b a c")))).pair(),
                    pt.tokenize(PreferenceExample.conversation(List.of(ChatMessage.user("sort: d b")), "sorted: b d",
                            "sorted: d b")).pair());
        }
        Path ids = dir.resolve("ids.jsonl");
        StringBuilder rows = new StringBuilder();
        for (PreferencePair p : expected) {
            assertEquals(p.chosenPromptLength(), p.rejectedPromptLength(), "shared prompt");
            rows.append("{\"prompt_ids\":").append(Arrays.toString(Arrays.copyOf(p.chosenInputIds(), p.chosenPromptLength())))
                    .append(",\"chosen_ids\":").append(Arrays.toString(p.chosenCompletion()))
                    .append(",\"rejected_ids\":").append(Arrays.toString(p.rejectedCompletion())).append("}\n");
        }
        Files.writeString(ids, rows);
        String fromText = score(model, text);
        String fromIds = score(model, ids);
        assertEquals(fromIds, fromText);
        assertTrue(fromText.contains("\"summary\""), fromText);
    }

    @Test
    void badTextRowNamesLineAndField() throws Exception {
        Path model = DemoAssets.writeModel(dir.resolve("model"), DemoAssets.Spec.small());
        Path text = dir.resolve("bad.jsonl");
        Files.writeString(text, "{\"prompt\":\"sort: a\",\"chosen\":\"sorted: a\",\"rejected\":\"sorted: b\"}\n"
                + "{\"prompt\":\"sort: b\",\"chosen\":\"sorted: b\"}\n");
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new ScoreCommand(ScoreCommand.LLAMA_LOADER, new PrintWriter(new StringWriter())));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute("--model", model.toString(), "--data", text.toString());
        assertNotEquals(0, exit);
        assertTrue(err.toString().contains("bad.jsonl line 2: rejected is missing"), err.toString());
    }

    @Test
    void orpoDpoMixRowScoresAsPrepareTokenizesIt() throws Exception {
        // the dataset's own shape: a prompt string, message lists that repeat the user turn, extra columns
        Path model = DemoAssets.writeModel(dir.resolve("model"), DemoAssets.Spec.small());
        Path text = dir.resolve("mix.jsonl");
        StringBuilder rows = new StringBuilder();
        for (String[] r : new String[][] {{"c a b", "a b c", "b a c"}, {"e d", "d e", "e d"}}) {
            rows.append("{\"source\":\"demo\",\"prompt\":\"sort: ").append(r[0]).append("\",\"chosen\":[")
                    .append(turn("user", "sort: " + r[0])).append(',').append(turn("assistant", "sorted: " + r[1]))
                    .append("],\"rejected\":[").append(turn("user", "sort: " + r[0])).append(',')
                    .append(turn("assistant", "sorted: " + r[2])).append("],\"question\":\"sort: ").append(r[0])
                    .append("\"}\n");
        }
        Files.writeString(text, rows);
        CliRun prepare = CliRun.run("prepare", "--data", text.toString(), "--model", model.toString(),
                "--out", dir.resolve("prepared").toString(), "--set", "dataset.test_size=0");
        assertEquals(0, prepare.exitCode(), prepare.err());
        assertTrue(prepare.out().contains("kept 2 (train 2, test 0), rejected 0"), prepare.out());

        // the prepared shard as id rows, in input order
        List<String> shard = Files.readAllLines(dir.resolve("prepared/train-00000-of-00001.jsonl"));
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        String[] idRows = new String[2];
        for (String line : shard) {
            var n = json.readTree(line);
            int[] chosen = json.convertValue(n.get("chosen_input_ids"), int[].class);
            int[] rejected = json.convertValue(n.get("rejected_input_ids"), int[].class);
            int promptLength = n.get("chosen_prompt_length").asInt();
            idRows[n.get("row").asInt()] = "{\"prompt_ids\":" + Arrays.toString(Arrays.copyOf(chosen, promptLength))
                    + ",\"chosen_ids\":" + Arrays.toString(Arrays.copyOfRange(chosen, promptLength, chosen.length))
                    + ",\"rejected_ids\":" + Arrays.toString(Arrays.copyOfRange(rejected, promptLength,
                    rejected.length)) + "}";
        }
        Path ids = Files.writeString(dir.resolve("mix-ids.jsonl"), String.join("\n", idRows) + "\n");
        assertEquals(score(model, ids), score(model, text));
        // orpo eval --pairs reads the same rows the same way
        CliRun fromText = CliRun.run("eval", "--model", model.toString(), "--pairs", text.toString());
        CliRun fromIds = CliRun.run("eval", "--model", model.toString(), "--pairs", ids.toString());
        assertEquals(0, fromText.exitCode(), fromText.err());
        assertEquals(fromIds.out(), fromText.out());
        assertTrue(fromText.out().contains("reward"), fromText.out());
    }

    private static String turn(String role, String content) {
        return "{\"role\":\"" + role + "\",\"content\":\"" + content + "\"}";
    }

    private static String score(Path model, Path data) {
        StringWriter out = new StringWriter();
        int exit = new CommandLine(new ScoreCommand(ScoreCommand.LLAMA_LOADER, new PrintWriter(out)))
                .execute("--model", model.toString(), "--data", data.toString(), "--batch-size", "2");
        assertEquals(0, exit, out.toString());
        return out.toString();
    }
}

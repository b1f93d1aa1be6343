package dev.orpo.cli;

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

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChatCommandTest {
    private static final int MAX_NEW = 6;

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private static Run chat(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new ChatCommand(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8))));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** Greedy replies computed independently: full-recompute decoding of the re-rendered conversation. */
    private static List<String> expectedReplies(Path model, List<String> userTurns) throws Exception {
        List<String> replies = new ArrayList<>();
        try (HfTokenizer tok = HfTokenizer.load(model); NDManager m = NDManager.newBaseManager();
             LlamaModel lm = PretrainedLlama.load(model, model, m)) {
            List<ChatMessage> conversation = new ArrayList<>();
            for (String user : userTurns) {
                conversation.add(ChatMessage.user(user));
                int[] ids = tok.encode(ChatTemplate.of(tok).render(conversation, true, tok));
                try (Decoder d = new RecomputeDecoder(lm, m)) {
                    int[] reply = Generator.generate(d, ids, new GenerationConfig(MAX_NEW, Set.of(2, 7),
                            SamplingConfig.GREEDY), t -> { }).tokens();
                    String text = tok.decode(reply, true);
                    replies.add(text);
                    conversation.add(ChatMessage.assistant(text));
                }
            }
        }
        return replies;
    }

    @Test
    void keepsTheConversationAcrossStdinTurnsUntilExit() throws Exception {
        Path model = TinyChatModel.create(dir);
        Run run = chat("hello world\n\nwhat color is the sky ?\n/exit\nnever read\n", "--model", model.toString(),
                "--adapter", model.toString(), "--temperature", "0", "--max-new-tokens", String.valueOf(MAX_NEW));
        assertEquals(0, run.exit(), run.err());
        List<String> expected = expectedReplies(model, List.of("hello world", "what color is the sky ?"));
        assertEquals(String.join("\n", expected) + "\n", run.out());
        assertFalse(expected.get(0).isBlank(), "the tiny model should say something");
    }

    @Test
    void oneShotPromptAnswersOnceWithoutReadingStdin() throws Exception {
        Path model = TinyChatModel.create(dir);
        Run run = chat("this line is not read\n", "--model", model.toString(), "--adapter", model.toString(),
                "--prompt", "hello world", "--temperature", "0", "--max-new-tokens", String.valueOf(MAX_NEW));
        assertEquals(0, run.exit(), run.err());
        assertEquals(expectedReplies(model, List.of("hello world")).get(0) + "\n", run.out());
    }

    @Test
    void seededSamplingRepeatsAndAMissingTokenizerIsABadInput() throws Exception {
        Path model = TinyChatModel.create(dir);
        String[] args = {"--model", model.toString(), "--prompt", "the cat sat", "--temperature", "1.5", "--top-p",
            "0.95", "--seed", "42", "--max-new-tokens", "12"};
        Run first = chat("", args);
        assertEquals(0, first.exit(), first.err());
        assertEquals(first.out(), chat("", args).out());
        java.nio.file.Files.delete(model.resolve("tokenizer.json"));
        Run missing = chat("", args);
        assertEquals(ExitCodes.BAD_INPUT, missing.exit());
        assertTrue(missing.err().contains("tokenizer.json"), missing.err());
    }
}

package dev.orpo.cli;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.generate.GenerationConfig;
import dev.orpo.model.generate.PromptSample;
import dev.orpo.model.generate.PromptSamples;
import dev.orpo.model.generate.SamplingConfig;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.text.ChatMessage;
import dev.orpo.model.text.HfTokenizer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code orpo chat}: talks to a model (plus adapter) through its chat template, streaming the reply token by token.
 * Reads one user turn per stdin line and keeps the conversation until {@code /exit} or end of input; with
 * {@code --prompt} answers once and exits.
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "Chat with a model (+ LoRA adapter) using its chat template; one user turn per input line, "
                + "/exit or end of input ends.")
public class ChatCommand implements Callable<Integer>, EngineCommand {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "HF model directory (config.json, safetensors, tokenizer)")
    Path model;

    @Option(names = "--adapter", description = "PEFT LoRA adapter directory (its tokenizer files win when present)")
    Path adapter;

    @Option(names = "--prompt", description = "answer this one message and exit")
    String prompt;

    @Option(names = "--system", description = "system message opening the conversation")
    String system;

    @Option(names = "--temperature", defaultValue = "0.6",
            description = "0 = greedy; default ${DEFAULT-VALUE}, Llama 3 instruct's generation_config")
    double temperature;

    @Option(names = "--top-p", defaultValue = "0.9", description = "nucleus size; default ${DEFAULT-VALUE} (Llama 3)")
    double topP;

    @Option(names = "--top-k", defaultValue = "0", description = "0 = off; default ${DEFAULT-VALUE}")
    int topK;

    @Option(names = "--max-new-tokens", defaultValue = "256", description = "per reply; default ${DEFAULT-VALUE}")
    int maxNewTokens;

    @Option(names = "--seed", defaultValue = "0", description = "sampling seed (turn i uses seed + i)")
    long seed;

    private final InputStream stdin;

    public ChatCommand() {
        this(System.in);
    }

    ChatCommand(InputStream stdin) {
        this.stdin = stdin;
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (HfTokenizer tokenizer = HfTokenizer.load(tokenizerDir(model, adapter));
             NDManager manager = NDManager.newBaseManager();
             LlamaModel lm = PretrainedLlama.load(model, adapter, manager)) {
            Session session = new Session(lm, manager, tokenizer, out);
            if (prompt != null) {
                session.reply(prompt);
            } else {
                BufferedReader in = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null && !line.strip().equals("/exit")) {
                    if (!line.isBlank()) {
                        session.reply(line);
                    }
                }
            }
            return ExitCodes.OK;
        } catch (IllegalArgumentException | UncheckedIOException | IOException e) {
            err.println("orpo chat: " + e.getMessage());
            err.flush();
            return ExitCodes.BAD_INPUT;
        }
    }

    /**
     * One conversation: every turn re-renders the whole history with the chat template and generates a reply
     * ({@link PromptSamples}: BOS, stop ids, KV cache).
     */
    private final class Session {
        private final HfTokenizer tokenizer;
        private final PrintWriter out;
        private final PromptSamples samples;
        private final List<ChatMessage> conversation = new ArrayList<>();
        private int turn;

        Session(LlamaModel lm, NDManager manager, HfTokenizer tokenizer, PrintWriter out) {
            this.tokenizer = tokenizer;
            this.out = out;
            this.samples = new PromptSamples(lm, tokenizer, manager);
            if (system != null) {
                conversation.add(ChatMessage.system(system));
            }
        }

        /** Streams the reply to {@code userText} and adds both turns to the conversation. */
        void reply(String userText) {
            conversation.add(ChatMessage.user(userText));
            GenerationConfig config = new GenerationConfig(maxNewTokens, Set.of(),
                    new SamplingConfig(temperature, topK, topP, seed + turn));
            StreamingText stream = new StreamingText(tokenizer, out);
            PromptSample reply = samples.reply(userText, conversation, config, stream::add);
            out.println();
            out.flush();
            conversation.add(ChatMessage.assistant(reply.reply()));
            turn++;
        }
    }

    /** The adapter directory when it carries tokenizer.json (a chat-format setup saves it there), else the model's. */
    static Path tokenizerDir(Path model, Path adapter) {
        return adapter != null && Files.isRegularFile(adapter.resolve("tokenizer.json")) ? adapter : model;
    }

    /** Prints the text of a growing reply as it grows; waits while the tail is an incomplete UTF-8 sequence. */
    static final class StreamingText {
        private final HfTokenizer tokenizer;
        private final PrintWriter out;
        private final List<Integer> ids = new ArrayList<>();
        private int printed;

        StreamingText(HfTokenizer tokenizer, PrintWriter out) {
            this.tokenizer = tokenizer;
            this.out = out;
        }

        void add(int id) {
            ids.add(id);
            String text = tokenizer.decode(ids.stream().mapToInt(Integer::intValue).toArray(), true);
            if (text.length() > printed && !text.endsWith("\uFFFD")) {
                out.print(text.substring(printed));
                out.flush();
                printed = text.length();
            }
        }
    }
}

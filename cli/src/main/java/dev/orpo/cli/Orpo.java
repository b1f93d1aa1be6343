package dev.orpo.cli;

import ai.djl.engine.Engine;
import dev.orpo.model.tensor.EngineThreads;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.List;

/**
 * The {@code orpo} command: run the local stack, submit and follow training runs.
 *
 * <p>Adding a command: write a picocli {@code @Command} class in this package (implementing
 * {@code Callable<Integer>}, exit code 0 on success, 2 for bad input) and add it to {@link #subcommands()}.
 * Commands that talk to Kafka mix in {@link KafkaOptions}.
 */
@Command(name = "orpo", mixinStandardHelpOptions = true, version = "orpo 0.1.0",
        description = "Event-driven ORPO fine-tuning of Llama-family models (TRL ORPOTrainer + PEFT LoRA, in Java).",
        footer = {"", "Kafka: --bootstrap, else $KAFKA_BOOTSTRAP_SERVERS, else the local stack (127.0.0.1:19092).",
                "State of the local stack: $ORPO_HOME, else .orpo/ at the repository root."})
public final class Orpo implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Every subcommand, in the order `orpo --help` lists them. Register new commands here. */
    static List<Object> subcommands() {
        return List.of(
                new LocalCommand(),
                new UploadCommand(),
                new SubmitCommand(),
                new WatchCommand(),
                new TopicsCommand(),
                new CancelCommand(),
                new ScoreCommand(),
                new PrepareCommand(),
                new MergeCommand(),
                new TrainCommand(),
                new EvalCommand(),
                new ChatCommand(),
                new dev.orpo.cli.demo.DemoCommand(),
                new BenchCommand());
    }

    /**
     * PyTorch's thread pools sized from the CPU quota, before any command can load the engine (DJL reads the settings
     * once, at load); the line says what was chosen and is printed by commands that run the model.
     */
    private static final String ENGINE_THREADS = EngineThreads.configure();

    /** The configured command line, writing to the given streams (tests capture them). */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Orpo());
        for (Object sub : subcommands()) {
            cl.addSubcommand(sub);
        }
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionStrategy(parsed -> {
            // engine commands say, once on stderr and before their work, the threads and the device they run on
            // (DJL's own "failed to detect GPU" warning is silenced in simplelogger.properties)
            List<CommandLine> chain = parsed.asCommandLineList();
            boolean help = chain.stream().anyMatch(c -> c.isUsageHelpRequested() || c.isVersionHelpRequested());
            if (!help && chain.get(chain.size() - 1).getCommand() instanceof EngineCommand engine) {
                err.println(ENGINE_THREADS);
                if (engine.computesInProcess()) {
                    printDevice(err);
                }
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        return cl;
    }

    private static void printDevice(PrintWriter err) {
        try {
            err.println("device: " + Engine.getInstance().defaultDevice());
        } catch (RuntimeException e) { // the command reports an engine that cannot load, with its own context
            err.println("device: unknown (" + e.getMessage() + ")");
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        int code = commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true)).execute(args);
        System.exit(code);
    }
}

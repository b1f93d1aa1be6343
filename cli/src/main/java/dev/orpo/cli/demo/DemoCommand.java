package dev.orpo.cli.demo;

import dev.orpo.cli.EventPublisher;
import dev.orpo.cli.ExitCodes;
import dev.orpo.cli.KafkaOptions;
import dev.orpo.cli.OrpoHome;
import dev.orpo.cli.ServiceApps;
import dev.orpo.cli.StageBoard;
import dev.orpo.cli.Terminal;
import dev.orpo.contracts.RunIds;
import dev.orpo.contracts.events.TrainingRequested;
import dev.orpo.contracts.request.FieldError;
import dev.orpo.contracts.request.RequestValidator;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.deploy.local.LocalServices;
import dev.orpo.deploy.local.LocalStack;
import dev.orpo.deploy.local.StackEndpoints;
import dev.orpo.stages.demo.DemoAssets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code orpo demo}: the whole seed recipe through the real pipeline on this machine. Starts the local stack and the
 * four services (own JVMs), writes a tiny model (warmed up once into a base that sorts letters the wrong way) and a
 * "sort the letters" preference set ({@link DemoAssets}), uploads them to the stack's S3, submits
 * {@code examples/demo.yaml} as {@code TrainingRequested}, shows each stage's progress, prints base vs tuned, and
 * exits non-zero unless the tuned model beats the base on held-out pairs and on exact match of held-out prompts.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the seed recipe end to end on a tiny model made on the spot: local stack, the four "
                + "services, dataset -> ORPO training -> merge -> evaluation, then base vs tuned.",
                "Exits 0 only when the tuned model's held-out reward accuracy and exact match of greedy replies to "
                        + "held-out prompts are above the base model's."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:the run finished and the tuned model beat the base", "1:the run failed, a service died, "
                + "or no gain", "2:bad input", "3:the stack or a service did not come up", "124:--timeout passed"})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--small", description = "CI size: fewer rows, questions and prompts (same model and recipe)")
    boolean small;

    @Option(names = "--keep", description = "leave the services (and a stack the demo started) running")
    boolean keep;

    @Option(names = "--model", paramLabel = "DIR", description = "use this HF model directory instead of the demo's")
    Path model;

    @Option(names = "--data", paramLabel = "FILE", description = "use this preference file instead of the demo's")
    Path data;

    @Option(names = "--rows", paramLabel = "N", description = "rows of the generated preference set "
            + "(distinct questions; default 360, 240 with --small)")
    Integer rows;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "local stack state (default: $ORPO_HOME or .orpo)")
    Path stateDir;

    @Option(names = "--ephemeral", description = "a private stack on free ports under --state-dir, stopped at the end")
    boolean ephemeral;

    @Option(names = "--repo", paramLabel = "DIR", description = "repository root (default: found from the orpo jar)")
    Path repo;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "900",
            description = "give up (exit 124) when the run has not finished this long after submitting "
                    + "(default: ${DEFAULT-VALUE})")
    long timeoutSeconds;

    @Option(names = "--stall", paramLabel = "SECONDS", defaultValue = "180",
            description = "fail when the run shows no new event this long (default: ${DEFAULT-VALUE})")
    long stallSeconds;

    @Option(names = "--text", description = "plain lines even on a terminal")
    boolean text;

    /** DJL's intra-op thread count, read when the engine starts. */
    static final String DJL_THREADS = "ai.djl.pytorch.num_threads";

    @Override
    public Integer call() throws Exception {
        // this process trains and runs only the demo's 0.1 M-parameter model (warm-up, sample replies): one intra-op
        // thread, as two spend more time handing its tiny matmuls over than computing (docs/benchmarks.md#demo)
        if (System.getProperty(DJL_THREADS) == null) {
            System.setProperty(DJL_THREADS, "1");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long t0 = System.nanoTime();
        Path root = repo != null ? repo.toAbsolutePath() : ServiceApps.repoRoot();
        Path state = stateDir != null ? stateDir.toAbsolutePath() : OrpoHome.resolve();
        Path demoDir = state.resolve("demo");
        if (model != null && !Files.isDirectory(model)) {
            return fail(err, ExitCodes.BAD_INPUT, "--model " + model + " is not a directory");
        }
        if (data != null && !Files.isRegularFile(data)) {
            return fail(err, ExitCodes.BAD_INPUT, "--data " + data + " is not a file");
        }
        try {
            ServiceApps.buildIfMissing(root, out);
        } catch (IllegalStateException e) {
            return fail(err, ExitCodes.UNAVAILABLE, e.getMessage());
        }
        LocalStack stack = ephemeral ? LocalStack.ephemeral(state.resolve("stack")) : LocalStack.at(state);
        boolean startedStack = ephemeral || !stack.status().running();
        StackEndpoints endpoints;
        try {
            endpoints = stack.up(Duration.ofMinutes(2));
        } catch (IllegalStateException e) {
            return fail(err, ExitCodes.UNAVAILABLE, "local stack did not come up: " + e.getMessage());
        }
        out.println((startedStack ? "started" : "using") + " the local stack: kafka " + endpoints.kafkaBootstrap()
                + ", s3 " + endpoints.s3Endpoint());
        LocalServices services = new LocalServices(stack.stateDir(), root);
        List<String> started = new ArrayList<>();
        Thread stopOnExit = new Thread(() -> services.stop(started), "orpo-demo-services-stop");
        try {
            DemoAssets.Spec assetSpec = small ? DemoAssets.Spec.small() : DemoAssets.Spec.standard();
            if (rows != null) {
                assetSpec = assetSpec.withRows(rows);
            }
            String runId = RunIds.newRunId();
            out.println("making the demo inputs (the first run also warms up the base model; it is kept)");
            out.flush();
            long made = System.nanoTime();
            DemoRequest.Inputs inputs = DemoRequest.inputs(demoDir.resolve("assets"), assetSpec, model, data);
            out.printf(Locale.ROOT, "demo inputs in %s (%.0f s); uploading to s3://%s/demo/%s/%n",
                    demoDir.resolve("assets"), (System.nanoTime() - made) / 1e9, endpoints.bucket(), runId);
            TrainingRequest request = DemoRequest.build(root.resolve("examples/demo.yaml"),
                    DemoRequest.upload(endpoints, runId, inputs));
            List<FieldError> errors = RequestValidator.validate(request);
            if (!errors.isEmpty()) {
                return fail(err, ExitCodes.BAD_INPUT, "invalid demo request: " + errors);
            }
            if (!keep) {
                Runtime.getRuntime().addShutdownHook(stopOnExit); // Ctrl-C stops what the demo started
            }
            try {
                started.addAll(services.start(endpoints));
                out.println((started.isEmpty() ? "using the running services" : "starting " + String.join(", ",
                        started)) + " (logs in " + stack.stateDir().resolve("services") + ")");
                out.flush();
                services.awaitReady(Duration.ofMinutes(3));
            } catch (IllegalStateException e) {
                return fail(err, ExitCodes.UNAVAILABLE, e.getMessage());
            }
            out.println("services ready: " + services.status().stream().map(x -> x.name() + " " + x.port()).toList());
            out.println("dashboard (live curves): " + services.dashboardUrl().orElse("(not running) ") + "#run=" + runId);
            KafkaOptions kafka = new KafkaOptions(endpoints.kafkaBootstrap());
            StageBoard board = new StageBoard(out, !text && Terminal.stdoutIsTerminal());
            RunFollower.Outcome outcome;
            try (RunFollower follower = new RunFollower(kafka)) {
                EventPublisher.publish(kafka, TrainingRequested.of(runId, request));
                board.submitted(runId);
                outcome = follower.follow(runId, board,
                        System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos(),
                        Duration.ofSeconds(stallSeconds).toNanos(), () -> services.died().orElse(null));
            }
            board.finish();
            if (!outcome.finished()) {
                return fail(err, outcome.failure().startsWith("deadline") ? ExitCodes.TIMED_OUT
                        : ExitCodes.RUN_FAILED, outcome.failure() + " (run " + runId + ", logs in "
                        + stack.stateDir().resolve("services") + ")");
            }
            if (outcome.finalEval() == null) {
                return fail(err, ExitCodes.RUN_FAILED, "the run ended without an evaluation of the merged model;"
                        + " the demo needs eval enabled");
            }
            out.println();
            out.println("base vs tuned (run " + runId + ", merged model at step " + outcome.finalEval().step() + ", "
                    + "report " + outcome.finalEval().reportUri() + ")");
            String noGain = DemoReport.printTable(out, outcome.finalEval().table());
            if (outcome.finalMerge() != null && !request.eval().prompts().isEmpty()) {
                out.println();
                Path merged = DemoRequest.download(endpoints, outcome.finalMerge().modelUri(),
                        demoDir.resolve("runs").resolve(runId).resolve("merged"));
                DemoReport.printGenerations(out, inputs.modelDir(), merged, request.eval().prompts(),
                        request.eval().maxNewTokens());
            }
            out.printf(Locale.ROOT, "%ndemo took %.0f s%n", (System.nanoTime() - t0) / 1e9);
            out.flush();
            if (noGain != null) {
                return fail(err, ExitCodes.RUN_FAILED, noGain);
            }
            out.println("OK: the tuned model prefers the chosen answers more often than the base on held-out pairs, and"
                    + " answers more held-out prompts exactly");
            return ExitCodes.OK;
        } finally {
            if (keep) {
                out.println("--keep: services still running; ./orpo local status lists them, ./orpo local down stops "
                        + "them");
            } else {
                services.stop(started);
                try {
                    Runtime.getRuntime().removeShutdownHook(stopOnExit);
                } catch (IllegalStateException | IllegalArgumentException notRegisteredOrShuttingDown) {
                    // nothing to undo
                }
                if (startedStack) {
                    stack.down();
                }
            }
            out.flush();
        }
    }

    private static int fail(PrintWriter err, int code, String message) {
        err.println("orpo demo FAILED: " + message);
        err.flush();
        return code;
    }
}

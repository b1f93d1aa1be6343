package dev.orpo.cli;

import dev.orpo.deploy.local.LocalStack;
import dev.orpo.deploy.local.ServerStatus;
import dev.orpo.deploy.local.StackEndpoints;
import dev.orpo.deploy.local.StackStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;

/** {@code orpo local up|down|status}: the local stack (a real Kafka broker and S3 server in their own JVMs). */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = {"Run the local stack: a Kafka broker (KRaft) and an S3 server (S3Proxy), each its own JVM.",
                "State (data, logs, pids) lives in $ORPO_HOME, else .orpo/ at the repository root."},
        subcommands = {LocalCommand.Up.class, LocalCommand.Down.class, LocalCommand.Status.class})
public final class LocalCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static void printEndpoints(PrintWriter out, StackEndpoints e) {
        out.println("kafka     " + e.kafkaBootstrap());
        out.println("s3        " + e.s3Endpoint() + "  bucket " + e.bucket() + "  access key " + e.accessKey()
                + "  secret key " + e.secretKey());
        out.println("env       export KAFKA_BOOTSTRAP_SERVERS=" + e.kafkaBootstrap() + " ORPO_S3_ENDPOINT="
                + e.s3Endpoint() + " ORPO_S3_ACCESS_KEY=" + e.accessKey() + " ORPO_S3_SECRET_KEY=" + e.secretKey()
                + " ORPO_S3_BUCKET=" + e.bucket());
    }

    /** Starts what is not running, waits until both answer, creates the bucket and every topic. */
    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Start the stack (idempotent), create the bucket and all topics, print the addresses.")
    static final class Up implements java.util.concurrent.Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
                description = "wait at most this long for both servers (default: ${DEFAULT-VALUE})")
        long timeoutSeconds;

        @Override
        public Integer call() {
            var out = spec.commandLine().getOut();
            var stack = LocalStack.at(OrpoHome.resolve());
            try {
                StackEndpoints e = stack.up(Duration.ofSeconds(timeoutSeconds));
                out.println("local stack up (state in " + stack.stateDir() + ")");
                printEndpoints(out, e);
                return ExitCodes.OK;
            } catch (IllegalStateException e) {
                spec.commandLine().getErr().println("local stack did not come up: " + e.getMessage());
                return ExitCodes.UNAVAILABLE;
            }
        }
    }

    /** Stops both servers; their data stays. */
    @Command(name = "down", mixinStandardHelpOptions = true, description = "Stop the stack (data is kept).")
    static final class Down implements java.util.concurrent.Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            var stack = LocalStack.at(OrpoHome.resolve());
            stack.down();
            spec.commandLine().getOut().println("local stack down (data kept in " + stack.stateDir() + ")");
            return ExitCodes.OK;
        }
    }

    /** Whether each server runs; exit 0 when both do, 3 otherwise. */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show whether each server runs (exit 0 when both do, 3 otherwise).")
    static final class Status implements java.util.concurrent.Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            var out = spec.commandLine().getOut();
            StackStatus s = LocalStack.at(OrpoHome.resolve()).status();
            out.println("state     " + s.stateDir());
            line(out, s.kafka());
            line(out, s.s3());
            if (s.running()) {
                printEndpoints(out, s.endpoints());
                return ExitCodes.OK;
            }
            return ExitCodes.UNAVAILABLE;
        }

        private static void line(PrintWriter out, ServerStatus server) {
            out.printf("%-9s %s  port %d%s  log %s%n", server.name(), server.running() ? "running" : "stopped",
                    server.port(), server.pid() > 0 ? "  pid " + server.pid() : "", server.logFile());
        }
    }
}

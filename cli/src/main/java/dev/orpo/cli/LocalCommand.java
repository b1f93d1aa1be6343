package dev.orpo.cli;

import dev.orpo.deploy.local.LocalServices;
import dev.orpo.deploy.local.LocalStack;
import dev.orpo.deploy.local.ServerStatus;
import dev.orpo.deploy.local.ServiceStatus;
import dev.orpo.deploy.local.StackEndpoints;
import dev.orpo.deploy.local.StackStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code orpo local up|down|status}: the local stack: a real Kafka broker and S3 server, and the four pipeline services
 * plus the dashboard, each in its own JVM ({@link LocalStack}, {@link LocalServices}).
 */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = {"Run the pipeline on this machine: a Kafka broker (KRaft), an S3 server (S3Proxy), the four "
                + "services and the dashboard, each its own JVM.",
                "State (data, logs, pids, ports) lives in $ORPO_HOME, else .orpo/ at the repository root; its "
                        + "stack.properties sets the ports (default kafka 19092, controller 19093, s3 19000)."},
        subcommands = {LocalCommand.Up.class, LocalCommand.Down.class, LocalCommand.Status.class})
public final class LocalCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static void printEndpoints(PrintWriter out, StackEndpoints e) {
        out.println("kafka            " + e.kafkaBootstrap());
        out.println("s3               " + e.s3Endpoint() + "  bucket " + e.bucket() + "  access key " + e.accessKey()
                + "  secret key " + e.secretKey());
        out.println("env              export KAFKA_BOOTSTRAP_SERVERS=" + e.kafkaBootstrap() + " ORPO_S3_ENDPOINT="
                + e.s3Endpoint() + " ORPO_S3_ACCESS_KEY=" + e.accessKey() + " ORPO_S3_SECRET_KEY=" + e.secretKey()
                + " ORPO_S3_BUCKET=" + e.bucket());
    }

    static void printServices(PrintWriter out, List<ServiceStatus> services) {
        for (ServiceStatus s : services) {
            String state = s.ready() ? "ready" : s.running() ? "starting" : "stopped";
            out.printf("%-16s %-8s%s%s  log %s%n", s.name(), state, s.port() > 0 && s.running() ? "  port " + s.port()
                    : "", s.pid() > 0 ? "  pid " + s.pid() : "", s.logFile());
        }
    }

    /** Starts what is not running, waits until everything answers, creates the bucket and every topic. */
    @Command(name = "up", mixinStandardHelpOptions = true,
            description = {"Start the stack (idempotent): Kafka and S3, the bucket and every topic, then the four "
                    + "services and the dashboard (built first when missing or older than their sources).",
                    "Prints the addresses and each service's port."})
    static final class Up implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--infra-only", description = "only Kafka and S3, no services (run them yourself)")
        boolean infraOnly;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300",
                description = "wait at most this long for the servers and services (default: ${DEFAULT-VALUE})")
        long timeoutSeconds;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            LocalStack stack = LocalStack.at(OrpoHome.resolve());
            StackEndpoints e;
            try {
                e = stack.up(Duration.ofSeconds(timeoutSeconds));
            } catch (IllegalStateException ex) {
                err.println("local stack did not come up: " + ex.getMessage());
                return ExitCodes.UNAVAILABLE;
            }
            out.println("local stack up (state in " + stack.stateDir() + ")");
            printEndpoints(out, e);
            if (infraOnly) {
                return ExitCodes.OK;
            }
            LocalServices services = new LocalServices(stack.stateDir(), ServiceApps.repoRoot());
            try {
                ServiceApps.buildIfMissing(ServiceApps.repoRoot(), out);
                List<String> started = services.start(e);
                out.println(started.isEmpty() ? "services already running" : "starting " + String.join(", ", started));
                out.flush();
                services.awaitReady(Duration.ofSeconds(timeoutSeconds));
            } catch (IllegalStateException ex) {
                err.println("services did not come up: " + ex.getMessage());
                return ExitCodes.UNAVAILABLE;
            }
            printServices(out, services.status());
            services.dashboardUrl().ifPresent(url -> out.println("dashboard        " + url));
            out.println("next             ./orpo upload MODEL_DIR; ./orpo upload DATA_FILE; ./orpo submit REQUEST.yaml;"
                    + " ./orpo watch RUN_ID");
            return ExitCodes.OK;
        }
    }

    /** Stops the services, then both servers; data stays. */
    @Command(name = "down", mixinStandardHelpOptions = true,
            description = "Stop the services and the stack that `local up` started (data is kept).")
    static final class Down implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            var stack = LocalStack.at(OrpoHome.resolve());
            new LocalServices(stack.stateDir(), ServiceApps.repoRoot()).stop();
            stack.down();
            spec.commandLine().getOut().println("local stack down (data kept in " + stack.stateDir() + ")");
            return ExitCodes.OK;
        }
    }

    /** Each server's and service's state; exit 0 when Kafka and S3 run and every running service is ready. */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Show each server and service: running or not, port, pid, log.",
                    "Exit 0 when Kafka and S3 run and every service that runs is ready, 3 otherwise."})
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            var out = spec.commandLine().getOut();
            LocalStack stack = LocalStack.at(OrpoHome.resolve());
            StackStatus s = stack.status();
            out.println("state            " + s.stateDir());
            line(out, s.kafka());
            line(out, s.s3());
            List<ServiceStatus> services = new LocalServices(stack.stateDir(), ServiceApps.repoRoot()).status();
            printServices(out, services);
            if (s.running()) {
                printEndpoints(out, s.endpoints());
            }
            boolean servicesOk = services.stream().allMatch(x -> x.ready() || !x.running());
            return s.running() && servicesOk ? ExitCodes.OK : ExitCodes.UNAVAILABLE;
        }

        private static void line(PrintWriter out, ServerStatus server) {
            out.printf("%-16s %-8s  port %d%s  log %s%n", server.name(), server.running() ? "running" : "stopped",
                    server.port(), server.pid() > 0 ? "  pid " + server.pid() : "", server.logFile());
        }
    }
}

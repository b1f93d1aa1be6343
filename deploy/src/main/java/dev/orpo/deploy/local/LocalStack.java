package dev.orpo.deploy.local;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A real Kafka broker (KRaft, one node) and a real S3 server (S3Proxy), each in its own JVM, with all state under one
 * directory: {@code stack.properties} (ports, keys), {@code kafka/} and {@code s3proxy/} (config, data, log, pid file).
 * Data survives {@link #down()} / {@link #up}. The servers outlive the JVM that started them, so {@code orpo stack up}
 * can exit and a later {@code orpo} finds them through the pid files.
 *
 * <pre>{@code
 * LocalStack stack = LocalStack.ephemeral(tempDir);
 * StackEndpoints e = stack.up(Duration.ofSeconds(60));
 * ...
 * stack.down();
 * }</pre>
 */
public final class LocalStack {
    /** Partitions per topic: enough to show per-run ordering by key, few enough for a laptop. */
    public static final int PARTITIONS = StackBootstrap.PARTITIONS;
    /** SIGTERM grace before a server is killed: a single-node broker shuts down cleanly in a few seconds. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final Path stateDir;
    private final StackConfig config;
    private final KafkaServer kafka;
    private final S3ProxyServer s3;
    private final boolean ephemeral;
    private Thread shutdownHook;

    private LocalStack(Path stateDir, StackConfig fallback, boolean ephemeral) {
        this.stateDir = stateDir.toAbsolutePath().normalize();
        this.config = StackConfig.loadOrSave(this.stateDir, fallback);
        this.kafka = new KafkaServer(this.stateDir.resolve("kafka"), config);
        this.s3 = new S3ProxyServer(this.stateDir.resolve("s3proxy"), config);
        this.ephemeral = ephemeral;
    }

    /** A developer's stack on the fixed ports of {@link StackConfig#defaults()} (or those saved in the dir). */
    public static LocalStack at(Path stateDir) {
        return new LocalStack(stateDir, StackConfig.defaults(), false);
    }

    /** A stack with explicit ports and keys (used only when the directory has none saved yet). */
    public static LocalStack at(Path stateDir, StackConfig config) {
        return new LocalStack(stateDir, config, false);
    }

    /**
     * A throwaway stack on free ports (for tests). Its servers are also stopped when this JVM exits, should the caller
     * forget {@link #down()}.
     */
    public static LocalStack ephemeral(Path dir) {
        return new LocalStack(dir, StackConfig.freePorts(), true);
    }

    public Path stateDir() {
        return stateDir;
    }

    /**
     * The endpoints of the stack whose state is in {@code stateDir}, from its saved {@code stack.properties}, without
     * creating anything (clients use this to find a stack on non-default ports); empty when none is saved.
     */
    public static java.util.Optional<StackEndpoints> savedEndpoints(Path stateDir) {
        return StackConfig.saved(stateDir.toAbsolutePath()).map(StackConfig::endpoints);
    }

    /** The endpoints this stack serves when up. */
    public StackEndpoints endpoints() {
        return config.endpoints();
    }

    /**
     * Starts whichever server is not running (running ones are reused), waits until both answer, then creates the
     * bucket and every topic of {@link dev.orpo.contracts.Topics#all()} that is missing.
     *
     * @throws IllegalStateException when a server does not come up in time (the message holds its log's tail)
     */
    public synchronized StackEndpoints up(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        boolean startKafka = kafka.server().process().isEmpty();
        boolean startS3 = s3.server().process().isEmpty();
        StackJars jars = startKafka || startS3 ? StackJars.locate() : null;
        // S3Proxy first: it boots while Kafka's storage is formatted (a separate, short-lived JVM)
        if (startS3) {
            s3.start(jars);
        }
        if (startKafka) {
            kafka.start(jars);
        }
        if (ephemeral && shutdownHook == null) {
            shutdownHook = new Thread(this::stopServers, "local-stack-down");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        awaitPort(s3.server(), deadline);
        awaitPort(kafka.server(), deadline);
        StackEndpoints endpoints = endpoints();
        StackBootstrap.createBucket(endpoints, deadline, s3.server()::logTail);
        StackBootstrap.createTopics(kafka.bootstrap(), deadline, kafka.server()::logTail);
        return endpoints;
    }

    /** Stops both servers (SIGTERM, then kill after a grace period); their data stays. */
    public synchronized void down() {
        stopServers();
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: nothing to undo
            }
            shutdownHook = null;
        }
    }

    /**
     * Stops the broker alone, S3 staying up: SIGTERM (a clean shutdown), or SIGKILL when {@code kill} (a crash). Its
     * data stays; {@link #up} starts it again. For fault tests.
     */
    public synchronized void stopKafka(boolean kill) {
        if (kill) {
            kafka.server().kill();
        } else {
            kafka.server().stop(STOP_GRACE);
        }
    }

    /** Whether each server's process is alive and answering, and where it logs. */
    public StackStatus status() {
        return new StackStatus(stateDir, kafka.server().status(), s3.server().status(), endpoints());
    }

    private void stopServers() {
        // both at once: Kafka's clean shutdown takes a few seconds and need not hold up S3Proxy's
        Thread s3Stop = new Thread(() -> s3.server().stop(STOP_GRACE), "s3proxy-stop");
        s3Stop.start();
        kafka.server().stop(STOP_GRACE);
        try {
            s3Stop.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitPort(JvmServer server, Instant deadline) {
        StackBootstrap.poll(deadline, () -> {
            if (server.process().isEmpty()) {
                throw new IllegalStateException(server.name() + " exited during start-up; log "
                        + server.logFile() + ":\n" + server.logTail());
            }
            return server.portAnswers();
        }, () -> server.name() + " did not open port " + server.port() + "; log " + server.logFile() + ":\n"
                + server.logTail());
    }

}

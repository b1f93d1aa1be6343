package dev.orpo.testing;

import dev.orpo.deploy.local.StackEndpoints;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A packaged service ({@code <module>/target/quarkus-app/quarkus-run.jar}, what {@code ./mvnw package} builds and the
 * demo starts) as its own JVM, pointed at a stack by environment variables, on a free HTTP port, logging to a file:
 * for tests that need a real process to signal or kill.
 *
 * <pre>{@code
 * try (ServiceProcess trainer = ServiceProcess.start(jar, stack, workDir, log, Map.of())) {
 *     trainer.awaitReady(Duration.ofSeconds(90));
 *     ...
 *     trainer.terminate();                       // SIGTERM, as Kubernetes stops a pod
 *     trainer.awaitExit(Duration.ofMinutes(2));
 * }
 * }</pre>
 */
public final class ServiceProcess implements AutoCloseable {
    private final Process process;
    private final URI base;
    private final Path log;

    private ServiceProcess(Process process, URI base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
    }

    /**
     * Starts {@code java -Dai.djl.offline=true -jar <jar>} with the stack's Kafka and S3 settings, {@code workDir} as
     * {@code ORPO_WORK_DIR}, no hub, and {@code env} on top.
     */
    public static ServiceProcess start(Path jar, StackEndpoints stack, Path workDir, Path log, Map<String, String> env) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: this test runs after `package`");
        }
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Dai.djl.offline=true", "-Xmx2g", "-jar", jar.toAbsolutePath().toString()));
        try {
            Files.createDirectories(workDir);
            Files.createDirectories(log.toAbsolutePath().getParent());
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Map<String, String> e = pb.environment();
            e.putAll(stack.serviceEnvironment());
            e.put("ORPO_WORK_DIR", workDir.toAbsolutePath().toString());
            e.put("ORPO_HUB_URL", "");
            e.put("QUARKUS_HTTP_PORT", Integer.toString(port));
            e.put("OPT_OUT_TRACKING", "true");
            e.putAll(env);
            Process p = pb.start();
            p.getOutputStream().close();
            return new ServiceProcess(p, URI.create("http://127.0.0.1:" + port + "/"), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + jar, e);
        }
    }

    /** Waits until {@code /q/health/ready} answers 200 (Kafka connected); fails early if the process died. */
    public void awaitReady(Duration timeout) {
        await("ready: " + base + " (log " + log + ")").atMost(timeout).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("exited with " + process.exitValue() + "; log " + log);
                    }
                    try {
                        return ServiceHttp.get(base, "/q/health/ready").statusCode() == 200;
                    } catch (UncheckedIOException notYet) {
                        return false;
                    }
                });
    }

    /** The service's HTTP base, e.g. for {@code /consumed}. */
    public URI base() {
        return base;
    }

    public long pid() {
        return process.pid();
    }

    /** SIGTERM: a graceful stop, as Kubernetes stops a pod. */
    public void terminate() {
        process.destroy();
    }

    /** SIGKILL: a crash. */
    public void kill() {
        process.destroyForcibly();
    }

    /** Waits for the process to end; returns its exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("still running after " + timeout + "; log " + log);
        }
        return process.exitValue();
    }

    /** The log written so far. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the process if it still runs. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

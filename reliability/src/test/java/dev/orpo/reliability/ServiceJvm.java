package dev.orpo.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * One packaged service ({@code <service>/target/quarkus-app/quarkus-run.jar}) as its own JVM, as a pod runs it: a
 * fixed HTTP port, a work directory that survives restarts (a pod's emptyDir survives a container restart), its log
 * appended to across restarts, configuration through the environment. Faults: {@link #kill()} is {@code kill -9},
 * {@link #terminate} is SIGTERM.
 */
final class ServiceJvm {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String service;
    private final String instance;
    private final Path app;
    private final Path dir;
    private final int port;
    private final Map<String, String> env;
    private Process process;
    private int starts;

    /**
     * @param service  the module, e.g. {@code trainer-service}
     * @param instance this replica's name ({@code trainer-service-2}); its directory and log are named after it
     * @param env      configuration (Quarkus reads {@code ORPO_S3_ENDPOINT} as {@code orpo.s3.endpoint}, ...)
     */
    ServiceJvm(Path repo, String service, String instance, Path stateDir, Map<String, String> env) {
        this.service = service;
        this.instance = instance;
        this.app = repo.resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
        this.dir = stateDir.resolve(instance);
        this.port = freePort();
        this.env = Map.copyOf(env);
    }

    String service() {
        return service;
    }

    String instance() {
        return instance;
    }

    Path log() {
        return dir.resolve(instance + ".log");
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    /** Starts the JVM (again, after a kill: same port, same work directory). */
    synchronized void start() {
        if (!Files.isRegularFile(app)) {
            throw new IllegalStateException("no packaged " + service + " at " + app + ": build it first (./mvnw -B"
                    + " -DskipTests package, or the whole ./mvnw -B verify, which packages it before this module)");
        }
        if (alive()) {
            throw new IllegalStateException(instance + " is already running");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m", "-XX:+UseSerialGC", "-Dai.djl.offline=true", "-jar", app.toString()));
        try {
            Files.createDirectories(dir.resolve("work"));
            Files.writeString(log(), "=== start " + (++starts) + " of " + instance + " ===\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
            pb.environment().putAll(env);
            pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
            pb.environment().put("ORPO_WORK_DIR", dir.resolve("work").toString());
            pb.environment().put("OPT_OUT_TRACKING", "true");
            process = pb.start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + instance, e);
        }
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** Waits for {@code /q/health/ready}; fails with the log's tail if the JVM dies first. */
    void awaitReady(Duration timeout) {
        await(instance + " ready").atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!alive()) {
                throw new IllegalStateException(instance + " exited with " + process.exitValue() + "; log:\n"
                        + tail(40));
            }
            try {
                return get("q/health/ready").statusCode() == 200;
            } catch (UncheckedIOException notListeningYet) {
                return false;
            }
        });
    }

    /** {@code kill -9}: no shutdown hook runs, nothing is flushed or acknowledged. */
    synchronized void kill() {
        if (alive()) {
            process.destroyForcibly();
            waitFor(Duration.ofSeconds(30));
        }
    }

    /** SIGTERM, as the kubelet sends it; returns the exit code, or kills after {@code grace} (then -1). */
    synchronized int terminate(Duration grace) {
        if (!alive()) {
            return process == null ? -1 : process.exitValue();
        }
        process.destroy();
        if (!waitFor(grace)) {
            process.destroyForcibly();
            waitFor(Duration.ofSeconds(30));
            return -1;
        }
        return process.exitValue();
    }

    private boolean waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + instance, e);
        }
    }

    HttpResponse<String> get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(base().resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(instance + " " + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The whole log (every start) as text. */
    String logText() {
        try {
            return Files.exists(log()) ? Files.readString(log(), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String tail(int lines) {
        List<String> all = logText().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }
}

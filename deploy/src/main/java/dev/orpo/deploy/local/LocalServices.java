package dev.orpo.deploy.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The four pipeline services and the dashboard of a local stack, each its own JVM from its packaged Quarkus app
 * ({@code <repo>/<service>/target/quarkus-app/quarkus-run.jar}), pointed at the stack by system properties, on a free
 * HTTP port. State per service under {@code <stateDir>/services/<service>/}: pid file, {@code port}, log and the
 * service's work directory. Like the stack's servers they outlive the JVM that started them: {@code orpo local up}
 * exits, a later {@code orpo local status} or {@code down} finds them by pid file, and stops only those.
 */
public final class LocalServices {
    public static final List<String> NAMES = List.of("dataset-service", "trainer-service", "merger-service",
            "eval-service", "dashboard");
    /** A service saves its checkpoint or finishes its upload on SIGTERM; killed after this long. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final Path dir;
    private final Path repo;

    /**
     * @param stateDir the stack's state directory
     * @param repo     the repository root holding the packaged apps
     */
    public LocalServices(Path stateDir, Path repo) {
        this.dir = stateDir.toAbsolutePath().normalize().resolve("services");
        this.repo = repo.toAbsolutePath();
    }

    /** The packaged app of a service. */
    public static Path app(Path repo, String service) {
        return repo.resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
    }

    /**
     * Starts every service that is not running, against {@code stack}; returns at once (see {@link #awaitReady}).
     *
     * @return the services started now (running ones are left alone)
     */
    public List<String> start(StackEndpoints stack) {
        List<String> started = new ArrayList<>();
        for (String name : NAMES) {
            if (server(name).process().isPresent()) {
                continue;
            }
            Path app = app(repo, name);
            if (!Files.isRegularFile(app)) {
                throw new IllegalStateException(name + ": no packaged app at " + app + " (./mvnw -DskipTests package)");
            }
            int port = freePort();
            Path serviceDir = dir.resolve(name);
            try {
                Files.createDirectories(serviceDir.resolve("work"));
                Files.writeString(serviceDir.resolve("port"), Integer.toString(port));
            } catch (IOException e) {
                throw new UncheckedIOException(name + ": cannot write its state in " + serviceDir, e);
            }
            // system properties outrank the environment in Quarkus' config, so a KAFKA_BOOTSTRAP_SERVERS exported for a
            // cluster cannot point a local service elsewhere; HF_TOKEN and ORPO_HUB_ENABLED still come from the env
            new JvmServer(name, serviceDir, port).start(List.of("-Dai.djl.offline=true",
                    "-Dquarkus.http.port=" + port, "-Dkafka.bootstrap.servers=" + stack.kafkaBootstrap(),
                    "-Dorpo.s3.endpoint=" + stack.s3Endpoint(), "-Dorpo.s3.access-key=" + stack.accessKey(),
                    "-Dorpo.s3.secret-key=" + stack.secretKey(), "-Dorpo.s3.bucket=" + stack.bucket(),
                    "-Dorpo.work-dir=" + serviceDir.resolve("work"), "-jar", app.toString()));
            started.add(name);
        }
        return started;
    }

    /** Waits until every service answers 200 on {@code /q/health/ready}; fails naming the service and its log. */
    public void awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(timeout);
        for (String name : NAMES) {
            JvmServer server = server(name);
            StackBootstrap.poll(deadline, () -> {
                if (server.process().isEmpty()) {
                    throw new IllegalStateException(name + " exited before it was ready; log " + server.logFile()
                            + ":\n" + server.logTail());
                }
                return ready(http, server.port());
            }, () -> name + " not ready on port " + server.port() + " after " + timeout.toSeconds() + " s; log "
                    + server.logFile() + ":\n" + server.logTail());
        }
    }

    /** Each service: whether it runs, whether it is ready, pid, port and log. */
    public List<ServiceStatus> status() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        List<ServiceStatus> out = new ArrayList<>();
        for (String name : NAMES) {
            JvmServer server = server(name);
            Optional<ProcessHandle> p = server.process();
            out.add(new ServiceStatus(name, p.isPresent(), p.isPresent() && ready(http, server.port()),
                    p.map(ProcessHandle::pid).orElse(-1L), server.port(), server.logFile()));
        }
        return out;
    }

    /** A service that was started but whose process is gone, with its log; empty when none died. */
    public Optional<String> died() {
        return NAMES.stream().map(this::server).filter(JvmServer::died)
                .map(s -> s.name() + " (log " + s.logFile() + ")").findFirst();
    }

    /** Stops the given services (SIGTERM, then SIGKILL after a grace period), all at once. */
    public void stop(List<String> names) {
        List<Thread> stops = new ArrayList<>();
        for (String name : names) {
            Thread t = new Thread(() -> server(name).stop(STOP_GRACE), name + "-stop");
            t.start();
            stops.add(t);
        }
        for (Thread t : stops) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops every service of this stack. */
    public void stop() {
        stop(NAMES);
    }

    /** The dashboard's page, when it runs. */
    public Optional<String> dashboardUrl() {
        JvmServer d = server("dashboard");
        return d.process().isPresent() ? Optional.of("http://127.0.0.1:" + d.port() + "/") : Optional.empty();
    }

    private JvmServer server(String name) {
        Path serviceDir = dir.resolve(name);
        int port = 0;
        try {
            Path file = serviceDir.resolve("port");
            port = Files.isRegularFile(file) ? Integer.parseInt(Files.readString(file).trim()) : 0;
        } catch (IOException | NumberFormatException e) {
            // no usable port recorded: the service counts as not started
        }
        return new JvmServer(name, serviceDir, port);
    }

    private static boolean ready(HttpClient http, int port) {
        if (port <= 0) {
            return false;
        }
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/q/health/ready")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port", e);
        }
    }
}

package dev.orpo.cli.demo;

import dev.orpo.deploy.local.StackEndpoints;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The four pipeline services and the dashboard, each started as its own JVM from its packaged Quarkus app
 * ({@code <service>/target/quarkus-app/quarkus-run.jar}), pointed at a local stack by environment variables, on a free
 * HTTP port, logging to {@code <logDir>/<service>.log}. Builds the apps with Maven when one is missing.
 */
final class ServiceFleet implements AutoCloseable {
    static final List<String> SERVICES = List.of("dataset-service", "trainer-service", "merger-service",
            "eval-service", "dashboard");

    private final Path repo;
    private final Path logDir;
    private final Path workDir;
    private final Map<String, Process> processes = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, Integer> ports = new LinkedHashMap<>();

    ServiceFleet(Path repo, Path logDir, Path workDir) {
        this.repo = repo;
        this.logDir = logDir;
        this.workDir = workDir;
    }

    static Path app(Path repo, String service) {
        return repo.resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
    }

    /** Modules whose sources go into a service's packaged app (besides the service itself). */
    static final List<String> LIBRARIES = List.of("contracts", "model-core", "stages", "object-store",
            "service-support");

    /**
     * Runs {@code ./mvnw package} for the services when a packaged app is missing or older than a source file or
     * pom it is built from (so the demo never runs yesterday's services).
     */
    static void buildIfMissing(Path repo, PrintWriter out) throws IOException, InterruptedException {
        List<String> missing = SERVICES.stream().filter(s -> stale(repo, s)).toList();
        if (missing.isEmpty()) {
            return;
        }
        out.println("building " + String.join(", ", missing) + " (missing or older than their sources): ./mvnw -B -q"
                + " -DskipTests package ...; minutes the first time");
        out.flush();
        Path log = Files.createDirectories(repo.resolve(".orpo")).resolve("demo-build.log");
        List<String> cmd = new ArrayList<>(List.of(repo.resolve("mvnw").toString(), "-B", "-q"));
        String flags = System.getenv("ORPO_MVN_FLAGS"); // as the ./orpo script: e.g. -o
        if (flags != null && !flags.isBlank()) {
            cmd.addAll(List.of(flags.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-DskipTests", "package", "-pl", String.join(",", SERVICES), "-am"));
        Process p = new ProcessBuilder(cmd)
                .directory(repo.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int rc = p.waitFor();
        List<String> still = SERVICES.stream().filter(s -> !Files.isRegularFile(app(repo, s))).toList();
        if (rc != 0 || !still.isEmpty()) {
            throw new IllegalStateException("building the services failed (exit " + rc + "; missing "
                    + still + "); see " + log);
        }
        for (String s : SERVICES) { // an unchanged app may keep its old time stamp: mark it current
            Files.setLastModifiedTime(app(repo, s), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
        }
    }

    /**
     * Starts every service against {@code stack}; returns at once (see {@link #awaitReady}).
     *
     * @param stopOnExit also stop them when this JVM exits early (Ctrl-C)
     */
    void start(StackEndpoints stack, boolean stopOnExit) throws IOException {
        Files.createDirectories(logDir);
        if (stopOnExit) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> processes.values().forEach(Process::destroy),
                    "orpo-demo-services-stop"));
        }
        for (String service : SERVICES) {
            int port = freePort();
            Path work = Files.createDirectories(workDir.resolve(service));
            ProcessBuilder pb = new ProcessBuilder(javaBin(), "-Dai.djl.offline=true", "-jar",
                    app(repo, service).toString())
                    .directory(repo.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve(service + ".log").toFile()));
            Map<String, String> env = pb.environment();
            env.putAll(stack.serviceEnvironment());
            env.put("ORPO_WORK_DIR", work.toString());
            env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
            env.put("OPT_OUT_TRACKING", "true");
            processes.put(service, pb.start());
            ports.put(service, port);
        }
    }

    /** The dashboard's page for a run. */
    String dashboardUrl(String runId) {
        return "http://127.0.0.1:" + ports.get("dashboard") + "/#run=" + runId;
    }

    /** Waits until every service answers 200 on {@code /q/health/ready}; fails naming the service and its log. */
    void awaitReady(Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String service : SERVICES) {
            while (!ready(http, ports.get(service))) {
                Process p = processes.get(service);
                if (!p.isAlive()) {
                    throw new IllegalStateException(service + " exited with " + p.exitValue() + " before it was ready;"
                            + " see " + logDir.resolve(service + ".log"));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(service + " not ready on port " + ports.get(service) + " after "
                            + timeout.toSeconds() + " s; see " + logDir.resolve(service + ".log"));
                }
                Thread.sleep(500);
            }
        }
    }

    /** Whichever service process has died, with its exit code; null when all live. */
    String deadService() {
        for (var e : processes.entrySet()) {
            if (!e.getValue().isAlive()) {
                return e.getKey() + " (exit " + e.getValue().exitValue() + ", log " + logDir.resolve(e.getKey()
                        + ".log") + ")";
            }
        }
        return null;
    }

    Map<String, Integer> ports() {
        return ports;
    }

    List<Long> pids() {
        List<Long> out = new ArrayList<>();
        processes.values().forEach(p -> out.add(p.pid()));
        return out;
    }

    /** Stops every service (SIGTERM, then SIGKILL after 10 s). */
    @Override
    public void close() {
        processes.values().forEach(Process::destroy);
        for (Process p : processes.values()) {
            try {
                if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
    }

    static boolean stale(Path repo, String service) {
        Path jar = app(repo, service);
        if (!Files.isRegularFile(jar)) {
            return true;
        }
        try {
            long built = Files.getLastModifiedTime(jar).toMillis();
            List<Path> sources = new ArrayList<>(List.of(repo.resolve("pom.xml"), repo.resolve(service)
                    .resolve("pom.xml"), repo.resolve(service).resolve("src/main")));
            LIBRARIES.forEach(m -> {
                sources.add(repo.resolve(m).resolve("pom.xml"));
                sources.add(repo.resolve(m).resolve("src/main"));
            });
            for (Path src : sources) {
                if (!Files.exists(src)) {
                    continue;
                }
                try (var files = Files.walk(src)) {
                    if (files.anyMatch(f -> newer(f, built))) {
                        return true;
                    }
                }
            }
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static boolean newer(Path file, long than) {
        try {
            return Files.isRegularFile(file) && Files.getLastModifiedTime(file).toMillis() > than;
        } catch (IOException e) {
            return true;
        }
    }

    private static boolean ready(HttpClient http, int port) throws InterruptedException {
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/q/health/ready")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}

package dev.orpo.cli;

import dev.orpo.deploy.local.LocalServices;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The packaged service apps {@code orpo local up} and {@code orpo demo} run ({@link LocalServices}): found in the
 * repository this CLI was built from, built with {@code ./mvnw package} when missing or older than their sources.
 */
public final class ServiceApps {
    /** Modules whose sources go into a service's packaged app (besides the service itself). */
    static final List<String> LIBRARIES = List.of("contracts", "model-core", "stages", "object-store",
            "service-support");

    private ServiceApps() {
    }

    /** The repository root: the first directory above the orpo jar (or classes directory) holding mvnw. */
    public static Path repoRoot() {
        try {
            Path code = Path.of(ServiceApps.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path d = code; d != null; d = d.getParent()) {
                if (Files.isRegularFile(d.resolve("mvnw")) && Files.isDirectory(d.resolve("examples"))) {
                    return d;
                }
            }
        } catch (URISyntaxException | SecurityException ignored) {
            // fall through to the working directory
        }
        return Path.of("").toAbsolutePath();
    }

    /**
     * Runs {@code ./mvnw package} for the services when a packaged app is missing or older than a source file or
     * pom it is built from (so no one runs yesterday's services).
     *
     * @throws IllegalStateException when the build fails (names its log)
     */
    public static void buildIfMissing(Path repo, PrintWriter out) throws IOException, InterruptedException {
        List<String> missing = LocalServices.NAMES.stream().filter(s -> stale(repo, s)).toList();
        if (missing.isEmpty()) {
            return;
        }
        out.println("building " + String.join(", ", missing) + " (missing or older than their sources): ./mvnw -B -q"
                + " -DskipTests package ...; minutes the first time");
        out.flush();
        Path log = Files.createDirectories(repo.resolve(".orpo")).resolve("services-build.log");
        List<String> cmd = new ArrayList<>(List.of(repo.resolve("mvnw").toString(), "-B", "-q"));
        String flags = System.getenv("ORPO_MVN_FLAGS"); // as the ./orpo script: e.g. -o
        if (flags != null && !flags.isBlank()) {
            cmd.addAll(List.of(flags.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-DskipTests", "package", "-pl", String.join(",", LocalServices.NAMES), "-am"));
        Process p = new ProcessBuilder(cmd)
                .directory(repo.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int rc = p.waitFor();
        List<String> still = LocalServices.NAMES.stream()
                .filter(s -> !Files.isRegularFile(LocalServices.app(repo, s))).toList();
        if (rc != 0 || !still.isEmpty()) {
            throw new IllegalStateException("building the services failed (exit " + rc + "; missing " + still
                    + "); see " + log);
        }
        for (String s : LocalServices.NAMES) { // an unchanged app may keep its old time stamp: mark it current
            Files.setLastModifiedTime(LocalServices.app(repo, s), FileTime.fromMillis(System.currentTimeMillis()));
        }
    }

    static boolean stale(Path repo, String service) {
        Path jar = LocalServices.app(repo, service);
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
}

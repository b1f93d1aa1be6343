package dev.orpo.deploy.k8s;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Validates Strimzi objects against the {@code kafka.strimzi.io/v1} model of the io.strimzi:api jar on the test class
 * path (the version the root pom pins as {@code strimzi.version}). Strimzi builds that jar for Java 21 and this build
 * runs on Java 17, so the check runs {@link StrimziModelCheck} in a child JVM of version 21 or later found by
 * {@link JavaRuntimes}, with this JVM's class path, once for a whole batch of objects.
 */
final class StrimziSchema {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TIMEOUT_SECONDS = 120;

    private StrimziSchema() {
    }

    /** The model version the child loaded and, per object id, every problem found (an empty list: valid). */
    record Result(String modelVersion, Map<String, List<String>> errors) {
    }

    /** Checks every object of {@code objects} (id → parsed YAML document) in one child JVM. */
    @SuppressWarnings("unchecked")
    static Result check(Map<String, Map<String, Object>> objects) {
        Path java = JavaRuntimes.javaAtLeast(21).orElseThrow(() -> new IllegalStateException(
                "Strimzi's API model (io.strimzi:api " + System.getProperty("strimzi.version", "1.x")
                        + ") is built for Java 21, and no Java 21+ runtime was found to validate deploy/k8s against it "
                        + "(looked at $" + JavaRuntimes.HOME_ENV + ", this JVM, $JAVA_HOME, /usr/lib/jvm, /usr/java, "
                        + "/opt, ~/.sdkman, ~/.jdks). Install one, or set " + JavaRuntimes.HOME_ENV + " to its home."));
        try {
            Path input = Files.createTempFile("orpo-strimzi-objects", ".json");
            Path output = Files.createTempFile("orpo-strimzi-check", ".json");
            Path log = Files.createTempFile("orpo-strimzi-check", ".log");
            try {
                JSON.writeValue(input.toFile(), objects);
                List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx512m",
                        "-cp", System.getProperty("java.class.path"), StrimziModelCheck.class.getName(), input.toString()));
                Process p = new ProcessBuilder(command).redirectOutput(output.toFile()).redirectError(log.toFile()).start();
                if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("Strimzi model check did not finish in " + TIMEOUT_SECONDS + " s");
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("Strimzi model check failed (" + java + ", exit " + p.exitValue()
                            + "):\n" + Files.readString(log, StandardCharsets.UTF_8));
                }
                Map<String, Object> out = JSON.readValue(output.toFile(), Map.class);
                return new Result((String) out.get("modelVersion"), (Map<String, List<String>>) out.get("errors"));
            } finally {
                Files.deleteIfExists(input);
                Files.deleteIfExists(output);
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run the Strimzi model check", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking Strimzi objects", e);
        }
    }
}

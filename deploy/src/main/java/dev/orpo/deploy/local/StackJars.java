package dev.orpo.deploy.local;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the servers' jars are: {@code <stack>/kafka/*.jar} and {@code <stack>/s3proxy/s3proxy.jar}, copied there by
 * module deploy's build. Looked up in system property {@value #PROPERTY}, then env {@value #ENV}, then
 * {@code deploy/target/stack} in the working directory or any parent.
 */
public record StackJars(Path kafkaDir, Path s3proxyJar) {
    public static final String PROPERTY = "orpo.stack.dir";
    public static final String ENV = "ORPO_STACK_DIR";

    /** Finds the jars or explains how to build them. */
    public static StackJars locate() {
        String configured = System.getProperty(PROPERTY);
        String source = "system property " + PROPERTY;
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(ENV);
            source = "env " + ENV;
        }
        if (configured != null && !configured.isBlank()) {
            Path dir = Path.of(configured).toAbsolutePath();
            if (!complete(dir)) {
                throw new IllegalStateException(source + " = " + dir + " has no kafka/*.jar and s3proxy/s3proxy.jar; "
                        + "build them with ./mvnw -pl deploy -am compile");
            }
            return of(dir);
        }
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = start; d != null; d = d.getParent()) {
            for (Path candidate : new Path[]{d.resolve("deploy/target/stack"), d.resolve("target/stack")}) {
                if (complete(candidate)) {
                    return of(candidate);
                }
            }
        }
        throw new IllegalStateException("local stack jars not found (no deploy/target/stack in " + start
                + " or its parents, and neither " + PROPERTY + " nor " + ENV + " is set): build them first with "
                + "./mvnw -pl deploy -am compile");
    }

    private static StackJars of(Path dir) {
        return new StackJars(dir.resolve("kafka"), dir.resolve("s3proxy/s3proxy.jar"));
    }

    private static boolean complete(Path dir) {
        return Files.isRegularFile(dir.resolve("s3proxy/s3proxy.jar")) && hasKafkaJar(dir.resolve("kafka"));
    }

    private static boolean hasKafkaJar(Path kafkaDir) {
        if (!Files.isDirectory(kafkaDir)) {
            return false;
        }
        try (var files = Files.list(kafkaDir)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith("kafka_2.13-"));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** {@code <kafkaDir>/*}: the broker's class path. */
    String kafkaClassPath() {
        return kafkaDir.resolve("*").toString();
    }
}

package dev.orpo.deploy.local;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Ports and credentials of one local stack. Saved in the state directory, so a stack restarted later (or found by
 * another process, such as the cli) keeps its ports.
 *
 * @param kafkaPort      client listener of the broker
 * @param controllerPort KRaft controller listener (same JVM, single node)
 * @param s3Port         S3 API port
 * @param bucket         bucket created on start
 * @param accessKey      S3 identity accepted by the server
 * @param secretKey      S3 credential accepted by the server
 */
public record StackConfig(int kafkaPort, int controllerPort, int s3Port, String bucket, String accessKey,
                          String secretKey) {
    static final String FILE = "stack.properties";

    public StackConfig {
        checkPort("kafka.port", kafkaPort);
        checkPort("kafka.controller.port", controllerPort);
        checkPort("s3.port", s3Port);
        if (kafkaPort == controllerPort || kafkaPort == s3Port || controllerPort == s3Port) {
            throw new IllegalArgumentException("local stack ports must differ: kafka " + kafkaPort
                    + ", controller " + controllerPort + ", s3 " + s3Port);
        }
        for (String[] kv : new String[][]{{"bucket", bucket}, {"access-key", accessKey}, {"secret-key", secretKey}}) {
            if (kv[1] == null || kv[1].isBlank()) {
                throw new IllegalArgumentException("local stack " + kv[0] + " must not be blank");
            }
        }
    }

    /**
     * The fixed ports of a developer's stack: 19092/19093/19000, next to but not on Kafka's and MinIO's usual 9092 and
     * 9000, so a stack can run beside those. Keys {@code orpo}/{@code orpo-secret}: local only, never a secret.
     */
    public static StackConfig defaults() {
        return new StackConfig(19092, 19093, 19000, "orpo", "orpo", "orpo-secret");
    }

    /** How clients reach a stack with this config (every server listens on 127.0.0.1). */
    public StackEndpoints endpoints() {
        return new StackEndpoints("127.0.0.1:" + kafkaPort, "http://127.0.0.1:" + s3Port, accessKey, secretKey, bucket);
    }

    /** Defaults with three free ports picked now (for tests running side by side). */
    public static StackConfig freePorts() {
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0);
             ServerSocket c = new ServerSocket(0)) {
            StackConfig d = defaults();
            return new StackConfig(a.getLocalPort(), b.getLocalPort(), c.getLocalPort(), d.bucket(), d.accessKey(),
                    d.secretKey());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find free ports", e);
        }
    }

    /** The config saved in {@code stateDir}, if any (nothing is created). */
    static java.util.Optional<StackConfig> saved(Path stateDir) {
        Path file = stateDir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return java.util.Optional.empty();
        }
        try {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            }
            return java.util.Optional.of(new StackConfig(intOf(p, file, "kafka.port"),
                    intOf(p, file, "kafka.controller.port"), intOf(p, file, "s3.port"), p.getProperty("bucket"),
                    p.getProperty("access-key"), p.getProperty("secret-key")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The config saved in {@code stateDir}, else {@code fallback} (then saved there). */
    static StackConfig loadOrSave(Path stateDir, StackConfig fallback) {
        Path file = stateDir.resolve(FILE);
        try {
            Files.createDirectories(stateDir);
            java.util.Optional<StackConfig> saved = saved(stateDir);
            if (saved.isPresent()) {
                return saved.get();
            }
            Properties p = new Properties();
            p.setProperty("kafka.port", Integer.toString(fallback.kafkaPort));
            p.setProperty("kafka.controller.port", Integer.toString(fallback.controllerPort));
            p.setProperty("s3.port", Integer.toString(fallback.s3Port));
            p.setProperty("bucket", fallback.bucket);
            p.setProperty("access-key", fallback.accessKey);
            p.setProperty("secret-key", fallback.secretKey);
            try (Writer w = Files.newBufferedWriter(file)) {
                p.store(w, "local stack ports and keys (delete with the state directory to reset)");
            }
            return fallback;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }

    private static int intOf(Properties p, Path file, String key) {
        String v = p.getProperty(key);
        try {
            return Integer.parseInt(v == null ? "" : v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": " + key + " must be a port number, was " + v, e);
        }
    }

    private static void checkPort(String name, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("local stack " + name + " must be in 1..65535, was " + port);
        }
    }
}

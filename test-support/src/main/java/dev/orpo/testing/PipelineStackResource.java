package dev.orpo.testing;

import dev.orpo.deploy.local.LocalStack;
import dev.orpo.deploy.local.StackEndpoints;
import dev.orpo.store.ObjectStore;
import dev.orpo.store.ObjectStoreConfig;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Real Kafka + real S3 for {@code @QuarkusTest}s: {@code @WithTestResource(PipelineStackResource.class)}.
 * Where Docker runs, Kafka and MinIO containers (Testcontainers); elsewhere the local stack (Kafka and S3Proxy as own
 * JVMs). System property {@value #MODE_PROPERTY} = {@code auto} (default) | {@code local} | {@code containers} forces
 * a choice.
 *
 * <p>One stack per test JVM, shared by every test class (stopped when the JVM exits): a stack takes 10–20 s to start
 * on two cores, a test class a fraction of that. Tests must therefore not depend on topics being empty: key records by
 * a fresh run id and look for that.
 *
 * <p>Returns {@code kafka.bootstrap.servers}, {@code mp.messaging.connector.smallrye-kafka.bootstrap.servers} and
 * {@code orpo.s3.endpoint|access-key|secret-key|bucket|region}.
 */
public class PipelineStackResource implements QuarkusTestResourceLifecycleManager {
    public static final String MODE_PROPERTY = "orpo.test.stack";
    /** Generous: the first start also formats Kafka's storage, and the 2 cores may be busy with other builds. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Logger LOG = Logger.getLogger(PipelineStackResource.class.getName());

    private static StackEndpoints shared;

    /** The shared stack's endpoints, starting it on first use (also usable outside Quarkus tests). */
    public static synchronized StackEndpoints endpoints() {
        if (shared == null) {
            shared = useContainers() ? ContainerStack.start(START_TIMEOUT) : startLocal();
        }
        return shared;
    }

    /** A client for the shared stack's bucket. */
    public static ObjectStore objectStore() {
        StackEndpoints e = endpoints();
        return new ObjectStore(new ObjectStoreConfig(e.s3Endpoint(), e.accessKey(), e.secretKey(), e.bucket(),
                ObjectStoreConfig.DEFAULT_REGION));
    }

    @Override
    public Map<String, String> start() {
        return config(endpoints());
    }

    /** Nothing: the stack is shared by every test class of this JVM and stops with it. */
    @Override
    public void stop() {
    }

    /** The Quarkus config that points a service at {@code e}. */
    public static Map<String, String> config(StackEndpoints e) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("kafka.bootstrap.servers", e.kafkaBootstrap());
        c.put("mp.messaging.connector.smallrye-kafka.bootstrap.servers", e.kafkaBootstrap());
        c.put("orpo.s3.endpoint", e.s3Endpoint());
        c.put("orpo.s3.access-key", e.accessKey());
        c.put("orpo.s3.secret-key", e.secretKey());
        c.put("orpo.s3.bucket", e.bucket());
        c.put("orpo.s3.region", ObjectStoreConfig.DEFAULT_REGION);
        return c;
    }

    private static boolean useContainers() {
        String mode = System.getProperty(MODE_PROPERTY, "auto");
        switch (mode) {
            case "local":
                return false;
            case "containers":
                return true;
            case "auto":
                return ContainerStack.dockerAvailable();
            default:
                throw new IllegalArgumentException(MODE_PROPERTY + " must be auto, local or containers, was " + mode);
        }
    }

    private static StackEndpoints startLocal() {
        Path dir;
        try {
            dir = Files.createTempDirectory("orpo-test-stack-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the test stack", e);
        }
        LocalStack stack = LocalStack.ephemeral(dir);
        LOG.info(() -> "starting local Kafka + S3Proxy for tests in " + dir);
        StackEndpoints e = stack.up(START_TIMEOUT);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.down();
            deleteTree(dir);
        }, "orpo-test-stack-down"));
        return e;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort at JVM exit: the directory is under the temp dir anyway
        }
    }
}

package dev.orpo.deploy.local;

import dev.orpo.contracts.Topics;
import dev.orpo.store.ObjectStore;
import dev.orpo.store.ObjectStoreConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Makes a fresh Kafka + S3 pair ready for the pipeline: the bucket and every topic of {@link Topics#all()}. Used by
 * {@link LocalStack} and by test resources that start the servers some other way (containers). Waits by bounded
 * polling: servers that have just opened their ports may still refuse requests for a moment.
 */
public final class StackBootstrap {
    /** Partitions per topic: enough to show per-run ordering by key, few enough for a laptop. */
    public static final int PARTITIONS = 3;
    private static final Duration POLL = Duration.ofMillis(200);

    private StackBootstrap() {
    }

    /** Creates the bucket of {@code e}, retrying until {@code deadline}. */
    public static void createBucket(StackEndpoints e, Instant deadline, Supplier<String> serverLog) {
        ObjectStore store = new ObjectStore(new ObjectStoreConfig(e.s3Endpoint(), e.accessKey(), e.secretKey(),
                e.bucket(), ObjectStoreConfig.DEFAULT_REGION));
        RuntimeException[] last = new RuntimeException[1];
        poll(deadline, () -> {
            try {
                store.ensureBucket();
                return true;
            } catch (RuntimeException ex) {
                last[0] = ex;
                return false;
            }
        }, () -> "cannot create bucket " + e.bucket() + " at " + e.s3Endpoint() + ": " + last[0] + "; server log:\n"
                + serverLog.get());
    }

    /** Creates every missing topic of {@link Topics#all()} ({@link #PARTITIONS} partitions, replication 1). */
    public static void createTopics(String bootstrap, Instant deadline, Supplier<String> serverLog) {
        Map<String, Object> props = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                10000);
        Exception[] last = new Exception[1];
        try (Admin admin = Admin.create(props)) {
            poll(deadline, () -> {
                try {
                    Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
                    List<NewTopic> missing = Topics.all().stream().filter(t -> !existing.contains(t))
                            .map(t -> new NewTopic(t, PARTITIONS, (short) 1)).toList();
                    if (!missing.isEmpty()) {
                        admin.createTopics(missing).all().get(10, TimeUnit.SECONDS);
                    }
                    return admin.listTopics().names().get(10, TimeUnit.SECONDS).containsAll(Topics.all());
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while creating topics", ex);
                } catch (Exception ex) {
                    last[0] = ex; // broker still starting (or a concurrent creator won): try again
                    return false;
                }
            }, () -> "cannot create topics on " + bootstrap + ": " + last[0] + "; server log:\n" + serverLog.get());
        }
    }

    /** Bounded polling: {@code done} every 200 ms until true, or fail with the message once the deadline passes. */
    static void poll(Instant deadline, Supplier<Boolean> done, Supplier<String> timeoutMessage) {
        while (!done.get()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("local stack: " + timeoutMessage.get());
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("local stack: interrupted while waiting", e);
            }
        }
    }
}

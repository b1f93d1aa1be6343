package dev.orpo.trainer;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.ObjectStoreLayout;
import dev.orpo.store.ObjectStore;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Which replica trains a run: a lease object {@code runs/<id>/checkpoints/_LEASE} ({@code owner} = the replica id,
 * {@code expires_at}),
 * renewed every third of {@code orpo.trainer.lease-ttl} while the owner trains and deleted when it ends. A replica that
 * receives a run whose lease another replica holds (a Kafka rebalance hands the uncommitted record to a second
 * consumer while the first is still training) waits instead of training it twice: until the run completes (then
 * nothing to do), is cancelled, or the lease expires (the owner died: take over and resume from its last checkpoint).
 *
 * <p>Best effort: S3 has no compare-and-set here, so a claim is written, left to settle for a tenth of the TTL and
 * read back; two replicas claiming within that window are resolved by the store's last write, and only its owner
 * proceeds. Expiry compares the owner's {@code expires_at} with this replica's clock (pods' clocks are NTP-synced).
 */
@ApplicationScoped
public class RunLeases {
    private static final Logger LOG = Logger.getLogger(RunLeases.class);

    /** The stored lease. */
    record Lease(String owner, @JsonProperty("expires_at") Instant expiresAt) {
    }

    @Inject
    ObjectStore store;

    /**
     * 2 minutes: long enough to ride out a slow S3 call or a GC pause without losing the lease, short enough that a
     * crashed replica's run is taken over soon after Kafka redelivers it.
     */
    @ConfigProperty(name = "orpo.trainer.lease-ttl", defaultValue = "PT2M")
    Duration ttl;

    /**
     * This replica's stable identity, the lease owner: {@code orpo.trainer.replica-id}, by default {@code HOSTNAME}
     * (the pod name on Kubernetes, which a restarted container keeps), else {@code trainer-<random>}. A process with
     * the same identity as a lease's owner is that owner restarted: it takes the lease over at once instead of waiting
     * for it to expire. Two live replicas must therefore never share one.
     */
    @ConfigProperty(name = "orpo.trainer.replica-id")
    Optional<String> replicaId;

    private String owner;
    private final Map<String, ScheduledFuture<?>> renewals = new ConcurrentHashMap<>();
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "orpo-lease-renewer");
        t.setDaemon(true);
        return t;
    });

    @PostConstruct
    void identify() {
        owner = replicaId.map(String::strip).filter(id -> !id.isEmpty())
                .orElseGet(() -> "trainer-" + UUID.randomUUID().toString().substring(0, 8));
        LOG.infof("replica id %s (owner of the run leases it takes)", owner);
    }

    /** The lease owner this replica writes. */
    String owner() {
        return owner;
    }

    /**
     * Blocks until this replica holds the run's lease (true) or there is nothing left to do (false: {@code done}
     * turned true — the run completed or was cancelled — while another replica held it).
     *
     * @param waiting told the other owner's name once, when this replica starts waiting
     */
    boolean acquire(String runId, BooleanSupplier done, Consumer<String> waiting) {
        boolean announced = false;
        while (true) {
            if (done.getAsBoolean()) {
                return false;
            }
            Optional<Lease> held = read(runId);
            if (held.isEmpty() || held.get().owner().equals(owner) || held.get().expiresAt().isBefore(Instant.now())) {
                held.ifPresent(l -> LOG.infof(l.owner().equals(owner)
                        ? "run %s: lease held by this replica's earlier incarnation %s (until %s); taking it over"
                        : "run %s: lease of %s expired at %s; taking over", runId, l.owner(), l.expiresAt()));
                write(runId);
                pause(ttl.dividedBy(10));
                if (read(runId).map(l -> l.owner().equals(owner)).orElse(false)) {
                    long every = Math.max(1, ttl.toMillis() / 3);
                    renewals.put(runId, renewer.scheduleAtFixedRate(() -> renew(runId), every, every,
                            TimeUnit.MILLISECONDS));
                    return true;
                }
                continue; // another replica claimed it in the same moment and its write came last
            }
            if (!announced) {
                LOG.infof("run %s: leased by %s until %s; waiting rather than training it twice", runId,
                        held.get().owner(), held.get().expiresAt());
                waiting.accept(held.get().owner());
                announced = true;
            }
            pause(ttl.dividedBy(4));
        }
    }

    /** Stops renewing and deletes the lease (if still this replica's). */
    void release(String runId) {
        // under the renewals lock: a renewal running at this moment must not write the lease back after the delete
        synchronized (renewals) {
            ScheduledFuture<?> renewal = renewals.remove(runId);
            if (renewal != null) {
                renewal.cancel(false);
            }
            if (read(runId).map(l -> l.owner().equals(owner)).orElse(false)) {
                store.delete(key(runId));
            }
        }
    }

    private void renew(String runId) {
        synchronized (renewals) {
            if (renewals.containsKey(runId)) { // else released meanwhile
                renewHeld(runId);
            }
        }
    }

    private void renewHeld(String runId) {
        try {
            Optional<Lease> held = read(runId);
            if (held.isPresent() && !held.get().owner().equals(owner)) {
                LOG.warnf("run %s: lease taken over by %s (this replica was presumed dead); it trains on, and the"
                        + " completion marker keeps the later finisher from publishing twice", runId, held.get().owner());
                return;
            }
            write(runId);
        } catch (RuntimeException e) { // a failed renewal is retried at the next tick; the TTL leaves room for two
            LOG.warnf("run %s: lease renewal failed: %s", runId, e.getMessage());
        }
    }

    private Optional<Lease> read(String runId) {
        String key = key(runId);
        return store.exists(key) ? Optional.of(Json.fromBytes(store.getBytes(key), Lease.class)) : Optional.empty();
    }

    private void write(String runId) {
        store.putBytes(key(runId), Json.toJson(new Lease(owner, Instant.now().plus(ttl)))
                .getBytes(StandardCharsets.UTF_8));
    }

    private String key(String runId) {
        return new ObjectStoreLayout(store.bucket()).trainingLeaseKey(runId);
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(Math.max(1, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a run lease", e);
        }
    }

    void shutdown(@Observes ShutdownEvent ev) {
        renewer.shutdownNow();
    }
}

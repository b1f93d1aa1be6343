package dev.orpo.deploy.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scratch disk, disruptions and shutdown of the workloads in every rendering. */
class PodLifecycleTest {
    static final List<String> OVERLAYS = Rendered.ALL;
    /** Room for container logs and the (read-only, so nearly empty) writable layer, on top of the scratch volumes. */
    static final Quantity LOG_ROOM = new Quantity("512Mi");

    /**
     * Disk-backed emptyDirs count against the pod's ephemeral storage: the containers request exactly their sum (so the
     * scheduler reserves that disk on the node) and are limited to it plus {@link #LOG_ROOM}. Memory-backed ones
     * (/dev/shm) count against memory instead.
     */
    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyPodRequestsTheEphemeralStorageOfItsScratchVolumes(String overlay) {
        OverlayWorkloadTest.pods(Rendered.overlay(overlay)).forEach(PodLifecycleTest::assertEphemeralStorageMatchesScratch);
    }

    static void assertEphemeralStorageMatchesScratch(String name, PodSpec pod) {
        BigDecimal scratch = BigDecimal.ZERO;
        for (Volume v : pod.getVolumes()) {
            if (v.getEmptyDir() != null && !"Memory".equals(v.getEmptyDir().getMedium())) {
                assertNotNull(v.getEmptyDir().getSizeLimit(), name + ": emptyDir " + v.getName() + " needs a sizeLimit");
                scratch = scratch.add(v.getEmptyDir().getSizeLimit().getNumericalAmount());
            }
        }
        BigDecimal requested = sum(pod, true);
        BigDecimal limited = sum(pod, false);
        assertEquals(0, scratch.compareTo(requested), name + ": ephemeral-storage request " + requested
                + " bytes vs scratch volumes " + scratch);
        assertEquals(0, scratch.add(LOG_ROOM.getNumericalAmount()).compareTo(limited),
                name + ": ephemeral-storage limit " + limited + " bytes = scratch + 512Mi");
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void trainersAreEvictedOneAtATimeAndNeverAllBlocked(String overlay) {
        Manifests m = Rendered.overlay(overlay);
        Map<String, String> labels = Rendered.service(m, "trainer-service").getSpec().getTemplate().getMetadata().getLabels();
        PodDisruptionBudget pdb = m.get(PodDisruptionBudget.class, "trainer-service");
        assertTrue(pdb.getSpec().getSelector().getMatchLabels().entrySet().stream()
                .allMatch(e -> e.getValue().equals(labels.get(e.getKey()))), "selects the trainer pods");
        assertEquals(1, pdb.getSpec().getMaxUnavailable().getIntVal(), "one eviction at a time, drains still progress");
        assertEquals(null, pdb.getSpec().getMinAvailable());
        assertEquals(1, m.all(PodDisruptionBudget.class).size(), "only the trainer has long-lived work to protect");
    }

    /**
     * A trainer owns its run lease under its pod name (kept across container restarts) and gets time on SIGTERM for
     * one step and a checkpoint upload; it is a Deployment (deploy/README.md: why not a StatefulSet).
     */
    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void trainerOwnsItsLeaseUnderItsPodNameAndHasTimeForAFinalCheckpoint(String overlay) {
        Manifests m = Rendered.overlay(overlay);
        Deployment trainer = Rendered.service(m, "trainer-service");
        Container c = OverlayWorkloadTest.main(trainer);
        assertEquals("field:metadata.name", OverlayWorkloadTest.resolvedEnv(m, c).get("ORPO_TRAINER_REPLICA_ID"));
        long grace = trainer.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
        assertTrue(grace >= 300, "grace " + grace + " s: one 8B step plus a checkpoint upload");
        long longestOther = m.all(Deployment.class).stream().filter(d -> d != trainer)
                .mapToLong(d -> d.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()).max().orElseThrow();
        assertTrue(longestOther < grace, "only the trainer finishes work on SIGTERM");
    }

    private static BigDecimal sum(PodSpec pod, boolean requests) {
        BigDecimal total = BigDecimal.ZERO;
        for (Container c : pod.getContainers()) {
            Map<String, Quantity> q = requests ? c.getResources().getRequests() : c.getResources().getLimits();
            assertNotNull(q.get("ephemeral-storage"), c.getName() + " ephemeral-storage " + (requests ? "request" : "limit"));
            total = total.add(q.get("ephemeral-storage").getNumericalAmount());
        }
        return total;
    }
}

package dev.orpo.deploy.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Network isolation in every overlay, and the GPU overlay's trainer-only GPU scheduling. */
class OverlayIsolationAndGpuTest {
    static final List<String> OVERLAYS = Rendered.ALL;
    private static final String GPU = "nvidia.com/gpu";

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void ingressIsDeniedByDefaultAndServicesOnlyReachKafkaMinioAndDns(String overlay) {
        Manifests m = Rendered.overlay(overlay);
        NetworkPolicy deny = m.get(NetworkPolicy.class, "default-deny-ingress");
        assertTrue(deny.getSpec().getPodSelector().getMatchLabels().isEmpty(), "selects every pod");
        assertEquals(List.of("Ingress"), deny.getSpec().getPolicyTypes());
        assertTrue(deny.getSpec().getIngress().isEmpty(), "allows nothing");

        NetworkPolicy egress = m.get(NetworkPolicy.class, "pipeline-services-egress");
        Set<Integer> ports = egress.getSpec().getEgress().stream().flatMap(r -> r.getPorts().stream())
                .map(p -> p.getPort().getIntVal()).collect(Collectors.toSet());
        assertEquals(Set.of(9093, 9000, 53), ports);
        for (NetworkPolicyEgressRule rule : egress.getSpec().getEgress()) {
            assertTrue(!rule.getTo().isEmpty() && rule.getTo().stream().allMatch(p -> p.getIpBlock() == null),
                    "egress only to selected pods: " + rule);
        }
        NetworkPolicy ingress = m.get(NetworkPolicy.class, "pipeline-services-ingress");
        assertEquals(Set.of(8080), ingress.getSpec().getIngress().stream().flatMap(r -> r.getPorts().stream())
                .map(p -> p.getPort().getIntVal()).collect(Collectors.toSet()), "metrics/health port only");
        for (String service : Rendered.SERVICES) {
            Map<String, String> labels = Rendered.service(m, service).getSpec().getTemplate().getMetadata().getLabels();
            assertTrue(selects(egress.getSpec().getPodSelector(), labels), service + " egress policy");
            assertTrue(selects(ingress.getSpec().getPodSelector(), labels), service + " ingress policy");
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void kafkaTlsListenerAndMinioAdmitThePipelinePods(String overlay) {
        Manifests m = Rendered.overlay(overlay);
        List<LabelSelector> tlsPeers = kafkaListenerPeers(m, "tls");
        NetworkPolicy minio = m.get(NetworkPolicy.class, "minio-ingress");
        Map<String, String> setupJob = m.get(io.fabric8.kubernetes.api.model.batch.v1.Job.class, "minio-setup")
                .getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(minio.getSpec().getIngress().get(0).getFrom().stream()
                .anyMatch(p -> p.getPodSelector() != null && selects(p.getPodSelector(), setupJob)), "minio-setup Job");
        for (String service : Rendered.SERVICES) {
            Map<String, String> labels = Rendered.service(m, service).getSpec().getTemplate().getMetadata().getLabels();
            assertTrue(tlsPeers.stream().anyMatch(p -> selects(p, labels)), service);
            assertTrue(minio.getSpec().getIngress().get(0).getFrom().stream()
                    .anyMatch(p -> p.getPodSelector() != null && selects(p.getPodSelector(), labels)), service);
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void onlyTheGpuOverlaysTrainerRequestsAGpu(String overlay) {
        OverlayWorkloadTest.pods(Rendered.overlay(overlay)).forEach((name, pod) -> {
            boolean wantsGpu = overlay.startsWith("gpu") && name.equals("Deployment/trainer-service");
            for (Container c : pod.getContainers()) {
                Quantity limit = c.getResources().getLimits().get(GPU);
                assertEquals(wantsGpu ? new Quantity("1") : null, limit, name + " " + GPU + " limit");
            }
        });
    }

    @Test
    void gpuTrainerLandsOnGpuNodesWithSharedMemoryAndCudaLibtorch() {
        Manifests m = Rendered.overlay("gpu");
        Deployment trainer = Rendered.service(m, "trainer-service");
        PodSpec pod = trainer.getSpec().getTemplate().getSpec();
        assertEquals("true", pod.getNodeSelector().get("nvidia.com/gpu.present"));
        assertTrue(pod.getTolerations().stream().anyMatch(t -> t.getKey().equals(GPU) && t.getEffect().equals("NoSchedule")));
        Volume shm = pod.getVolumes().stream().filter(v -> v.getName().equals("dshm")).findFirst().orElseThrow();
        assertEquals("Memory", shm.getEmptyDir().getMedium());
        Container c = OverlayWorkloadTest.main(trainer);
        assertTrue(c.getVolumeMounts().stream().anyMatch(v -> v.getName().equals("dshm") && v.getMountPath().equals("/dev/shm")));
        Map<String, String> env = OverlayWorkloadTest.resolvedEnv(m, c);
        assertTrue(env.get("PYTORCH_FLAVOR").startsWith("cu"), "CUDA libtorch flavor");
        assertTrue(env.containsKey("PYTORCH_LIBRARY_PATH"));
        assertEquals("1", env.get("TORCH_ALLOW_TF32_CUBLAS_OVERRIDE"), "fp32 matmuls on TF32 tensor cores (docs/gpu.md)");
        assertTrue(OverlayWorkloadTest.resolvedEnv(Rendered.overlay("cpu"), OverlayWorkloadTest.main(
                Rendered.service(Rendered.overlay("cpu"), "trainer-service"))).get("TORCH_ALLOW_TF32_CUBLAS_OVERRIDE") == null,
                "a CUDA switch only where CUDA is");
        assertTrue(c.getResources().getLimits().get("memory").getNumericalAmount()
                .compareTo(new Quantity("32Gi").getNumericalAmount()) >= 0, "GPU trainer memory");
        for (String other : List.of("dataset-service", "merger-service", "eval-service")) {
            assertEquals(Map.of(), Rendered.service(m, other).getSpec().getTemplate().getSpec().getNodeSelector(), other);
        }
    }

    /** The pod selectors of a Kafka listener's networkPolicyPeers (Strimzi turns them into the brokers' NetworkPolicy). */
    @SuppressWarnings("unchecked")
    static List<LabelSelector> kafkaListenerPeers(Manifests m, String listener) {
        Object listeners = Yamls.at(m.raw("Kafka").get(0), "spec", "kafka", "listeners");
        Map<String, Object> l = ((List<Map<String, Object>>) listeners).stream()
                .filter(x -> listener.equals(x.get("name"))).findFirst().orElseThrow();
        return ((List<Map<String, Object>>) l.get("networkPolicyPeers")).stream()
                .filter(p -> p.get("podSelector") != null && p.get("namespaceSelector") == null)
                .map(p -> Yamls.MAPPER.convertValue(p.get("podSelector"), LabelSelector.class)).toList();
    }

    /** matchLabels-only selectors (all these manifests use). */
    private static boolean selects(LabelSelector selector, Map<String, String> labels) {
        assertTrue(selector.getMatchExpressions().isEmpty(), "matchExpressions not evaluated here");
        return selector.getMatchLabels().entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }
}

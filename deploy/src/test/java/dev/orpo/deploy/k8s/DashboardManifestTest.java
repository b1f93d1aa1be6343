package dev.orpo.deploy.k8s;

import dev.orpo.contracts.Topics;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard in every rendering: its Jib image, a Service for the page, Kafka through its own KafkaUser (it writes
 * only its dead-letter topic; what it may read: KafkaAclTest), no S3 credentials and no network but Kafka and DNS.
 */
class DashboardManifestTest {
    static final List<String> OVERLAYS = Rendered.ALL;

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void dashboardRunsItsImageBehindAServiceAndReadsKafkaAsItsOwnUser(String overlay) {
        Manifests m = Rendered.overlay(overlay);
        Deployment d = m.get(Deployment.class, "dashboard");
        Container c = OverlayWorkloadTest.main(d);
        assertEquals("ghcr.io/orpo-pipeline/dashboard:0.1.0-SNAPSHOT", c.getImage());
        assertEquals("/q/health/ready", c.getReadinessProbe().getHttpGet().getPath());
        assertEquals("/q/health/live", c.getLivenessProbe().getHttpGet().getPath());
        Service svc = m.get(Service.class, "dashboard");
        assertEquals(d.getSpec().getSelector().getMatchLabels(), svc.getSpec().getSelector());
        assertEquals("http", svc.getSpec().getPorts().get(0).getTargetPort().getStrVal());
        assertEquals(8080, c.getPorts().get(0).getContainerPort());

        Map<String, String> env = OverlayWorkloadTest.resolvedEnv(m, c);
        Map<String, String> services = OverlayWorkloadTest.resolvedEnv(m, OverlayWorkloadTest.main(Rendered.service(m, "eval-service")));
        for (String key : List.of("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM",
                "KAFKA_SSL_TRUSTSTORE_TYPE", "KAFKA_SSL_TRUSTSTORE_LOCATION")) {
            assertEquals(services.get(key), env.get(key), key + ": the services' Kafka client settings");
        }
        assertEquals("secret:dashboard/sasl.jaas.config", env.get("KAFKA_SASL_JAAS_CONFIG"));
        assertTrue(env.keySet().stream().noneMatch(k -> k.startsWith("ORPO_S3_") || k.equals("HF_TOKEN")), env.keySet()::toString);
        assertEquals(Set.of(Topics.DLQ_DASHBOARD_EVENTS), KafkaAcls.of(m.raw("KafkaUser", "dashboard")).topics("Write"),
                "writes only its dead letters");
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void dashboardReachesOnlyKafkaAndDnsAndIsReachableOnlyOnItsHttpPort(String overlay) {
        Manifests m = Rendered.overlay(overlay);
        Map<String, String> labels = m.get(Deployment.class, "dashboard").getSpec().getTemplate().getMetadata().getLabels();
        assertEquals("true", labels.get("orpo.dev/kafka-client"));
        assertFalse(labels.containsKey("orpo.dev/s3-client"), "the dashboard never touches the object store");
        assertTrue(OverlayIsolationAndGpuTest.kafkaListenerPeers(m, "tls").stream()
                .anyMatch(p -> p.getMatchLabels().entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())))));
        Set<Integer> egressPorts = Set.of();
        Set<Integer> ingressPorts = Set.of();
        for (NetworkPolicy p : m.all(NetworkPolicy.class)) {
            boolean selects = p.getSpec().getPodSelector().getMatchLabels().entrySet().stream()
                    .allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
            if (selects && !p.getSpec().getPodSelector().getMatchLabels().isEmpty()) {
                egressPorts = union(egressPorts, p.getSpec().getEgress().stream().flatMap(r -> r.getPorts().stream())
                        .map(x -> x.getPort().getIntVal()).collect(Collectors.toSet()));
                ingressPorts = union(ingressPorts, p.getSpec().getIngress().stream().flatMap(r -> r.getPorts().stream())
                        .map(x -> x.getPort().getIntVal()).collect(Collectors.toSet()));
                assertTrue(p.getSpec().getPolicyTypes().contains("Egress") || p.getSpec().getPolicyTypes().contains("Ingress"));
            }
        }
        assertEquals(Set.of(9093, 53), egressPorts);
        assertEquals(Set.of(8080), ingressPorts);
    }

    private static Set<Integer> union(Set<Integer> a, Set<Integer> b) {
        Set<Integer> out = new java.util.HashSet<>(a);
        out.addAll(b);
        return out;
    }
}

package dev.orpo.deploy.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hub access on Kubernetes is an explicit opt-in: the overlays say hub disabled and reach nothing outside the
 * cluster; the hub-access component enables it, opens HTTPS egress and hands HF_TOKEN to every service that resolves
 * hub ids (those whose application.properties has {@code orpo.hub.*} settings), and to no other workload.
 */
class HubAccessComponentTest {
    static final List<String> WITHOUT = Rendered.ALL.stream().filter(r -> !r.contains("hub-access")).toList();
    static final List<String> WITH = Rendered.ALL.stream().filter(r -> r.contains("hub-access")).toList();

    @ParameterizedTest
    @FieldSource("WITHOUT")
    void withoutTheComponentHubAccessIsDisabledNoPodHasATokenAndNoPolicyReachesOutside(String rendering) {
        Manifests m = Rendered.overlay(rendering);
        assertEquals("false", Rendered.configMaps(m).get("orpo-config").get("ORPO_HUB_ENABLED"));
        for (Deployment d : m.all(Deployment.class)) {
            assertNull(OverlayWorkloadTest.resolvedEnv(m, OverlayWorkloadTest.main(d)).get("HF_TOKEN"), d.getMetadata().getName());
        }
        for (NetworkPolicy p : m.all(NetworkPolicy.class)) {
            for (NetworkPolicyEgressRule r : p.getSpec().getEgress()) {
                assertTrue(r.getTo().stream().allMatch(peer -> peer.getIpBlock() == null), p.getMetadata().getName());
            }
        }
    }

    @ParameterizedTest
    @FieldSource("WITH")
    void theComponentEnablesTheHubAndGivesHttpsEgressAndTheTokenToExactlyTheServicesThatResolveHubIds(String rendering) {
        Manifests m = Rendered.overlay(rendering);
        assertEquals("true", Rendered.configMaps(m).get("orpo-config").get("ORPO_HUB_ENABLED"));
        NetworkPolicy egress = m.get(NetworkPolicy.class, "pipeline-services-hub-egress");
        assertEquals(List.of("Egress"), egress.getSpec().getPolicyTypes());
        for (NetworkPolicyEgressRule r : egress.getSpec().getEgress()) {
            assertEquals(Set.of(443), r.getPorts().stream().map(p -> p.getPort().getIntVal()).collect(Collectors.toSet()));
            for (NetworkPolicyPeer peer : r.getTo()) {
                IPBlock block = peer.getIpBlock();
                assertTrue(block != null && peer.getPodSelector() == null && peer.getNamespaceSelector() == null, "ipBlocks only");
                assertTrue(block.getCidr().equals("0.0.0.0/0")
                        ? block.getExcept().containsAll(List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
                        : block.getExcept().contains("fc00::/7"), "the cluster's private ranges stay closed: " + block);
            }
        }
        int withHub = 0;
        for (Deployment d : m.all(Deployment.class)) {
            String name = d.getMetadata().getName();
            boolean hub = ServiceChannels.of(name).usesHub();
            withHub += hub ? 1 : 0;
            Container c = OverlayWorkloadTest.main(d);
            assertEquals(hub ? "secret:orpo-hub/token" : null, OverlayWorkloadTest.resolvedEnv(m, c).get("HF_TOKEN"), name);
            Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
            boolean selected = egress.getSpec().getPodSelector().getMatchLabels().entrySet().stream()
                    .allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
            assertEquals(hub, selected, name + " may reach the hub");
        }
        assertEquals(Rendered.SERVICES.size(), withHub, "dataset, trainer, merger and eval resolve hub ids");
        assertFalse(ServiceChannels.of("dashboard").usesHub());
    }
}

package dev.orpo.deploy.k8s;

import dev.orpo.contracts.Topics;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static dev.orpo.deploy.k8s.Yamls.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Strimzi resources of each overlay fit Strimzi's kafka.strimzi.io/v1 model and agree with the topic contract.
 * Strimzi objects are read as parsed YAML here: their schema is checked first, by Strimzi's own classes
 * ({@link StrimziSchema}).
 */
class OverlayKafkaTest {
    static final List<String> OVERLAYS = Rendered.ALL;

    @Test
    void everyStrimziObjectOfEveryOverlayFitsTheV1ModelOfThePinnedStrimziRelease() {
        StrimziSchema.Result result = Rendered.strimzi();
        assertEquals(System.getProperty("strimzi.version"), result.modelVersion(), "validated against io.strimzi:api");
        assertTrue(result.errors().size() >= OVERLAYS.size() * (Topics.all().size() + 2), result.errors().keySet()::toString);
        result.errors().forEach((id, errors) -> assertEquals(List.of(), errors, id));
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyContractTopicHasExactlyOneKafkaTopicAndThereAreNoOthers(String overlay) {
        List<String> declared = Rendered.overlay(overlay).raw("KafkaTopic").stream().map(OverlayKafkaTest::topicName).toList();
        assertEquals(declared.size(), new HashSet<>(declared).size(), "duplicate KafkaTopic: " + declared);
        assertEquals(new TreeSet<>(Topics.all()), new TreeSet<>(declared));
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void topicsBelongToTheClusterAndReplicateWithinItsBrokerCount(String overlay) {
        Manifests m = Rendered.overlay(overlay);
        String cluster = (String) at(m.raw("Kafka").get(0), "metadata", "name");
        int brokers = m.raw("KafkaNodePool").stream().filter(p -> ((List<?>) at(p, "spec", "roles")).contains("broker"))
                .mapToInt(p -> (Integer) at(p, "spec", "replicas")).sum();
        for (Map<String, Object> t : m.raw("KafkaTopic")) {
            String name = topicName(t);
            assertEquals(cluster, at(t, "metadata", "labels", "strimzi.io/cluster"), name);
            int replicas = (Integer) at(t, "spec", "replicas");
            int minIsr = Integer.parseInt(String.valueOf(at(t, "spec", "config", "min.insync.replicas")));
            assertTrue(replicas <= brokers && minIsr <= replicas && (replicas == 1 || minIsr < replicas),
                    name + ": replicas " + replicas + ", min.insync.replicas " + minIsr + ", brokers " + brokers);
            assertEquals("delete", at(t, "spec", "config", "cleanup.policy"), name);
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void trainerReplicasCanGrowToThePartitionsOfDatasetPrepared(String overlay) {
        Manifests m = Rendered.overlay(overlay);
        int partitions = (Integer) at(m.raw("KafkaTopic", Topics.DATASET_PREPARED), "spec", "partitions");
        Integer trainers = m.get(Deployment.class, "trainer-service").getSpec().getReplicas();
        assertTrue(partitions >= 8 && (trainers == null || trainers <= partitions),
                "partitions " + partitions + ", trainers " + trainers);
    }

    /** v1 moved replicas, storage and resources of the brokers to KafkaNodePool; the Kafka resource must not carry them. */
    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void brokersAreSizedByTheirNodePoolAndListenersUseOnlyTlsWithScram(String overlay) {
        Manifests m = Rendered.overlay(overlay);
        Map<String, Object> kafka = m.raw("Kafka").get(0);
        assertNull(at(kafka, "spec", "zookeeper"), "v1 has no zookeeper");
        for (String field : List.of("replicas", "storage", "resources")) {
            assertNull(at(kafka, "spec", "kafka", field), "spec.kafka." + field + " belongs to the KafkaNodePool");
        }
        for (Object l : (List<?>) at(kafka, "spec", "kafka", "listeners")) {
            assertEquals(true, at(l, "tls"), at(l, "name") + " must use TLS");
            assertEquals("scram-sha-512", at(l, "authentication", "type"), at(l, "name") + " must use SCRAM-SHA-512");
        }
        assertEquals("simple", at(kafka, "spec", "kafka", "authorization", "type"));
        assertEquals(false, at(kafka, "spec", "kafka", "config", "auto.create.topics.enable"));
        Set<Object> roles = m.raw("KafkaNodePool").stream()
                .peek(p -> assertEquals(at(kafka, "metadata", "name"), at(p, "metadata", "labels", "strimzi.io/cluster")))
                .peek(p -> assertNotNull(at(p, "spec", "resources", "limits", "memory"), "node pool memory limit"))
                .flatMap(p -> ((List<?>) at(p, "spec", "roles")).stream()).collect(Collectors.toSet());
        assertEquals(Set.of("controller", "broker"), roles);
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyEventTopicIsWrittenBySomeUserAndEveryAclNamesAnExistingTopicLiterally(String overlay) {
        Manifests m = Rendered.overlay(overlay);
        Set<String> written = new HashSet<>();
        for (Map<String, Object> u : m.raw("KafkaUser")) {
            written.addAll(KafkaAcls.of(u).topics("Write"));
            for (KafkaAcls.Acl a : KafkaAcls.of(u).all()) {
                if (a.type().equals("topic")) {
                    assertEquals("literal", a.patternType(), a.name());
                    assertTrue(Topics.all().contains(a.name()), at(u, "metadata", "name") + ": unknown topic " + a.name());
                }
            }
        }
        assertTrue(written.containsAll(Topics.eventTopics()), "nobody writes " + Topics.eventTopics().stream()
                .filter(t -> !written.contains(t)).toList());
    }

    static String topicName(Map<String, Object> t) {
        Object name = at(t, "spec", "topicName");
        return (String) (name != null ? name : at(t, "metadata", "name"));
    }
}

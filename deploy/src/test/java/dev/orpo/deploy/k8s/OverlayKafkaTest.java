package dev.orpo.deploy.k8s;

import dev.orpo.contracts.Topics;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.kafka.KafkaClusterSpec;
import io.strimzi.api.kafka.model.kafka.listener.GenericKafkaListener;
import io.strimzi.api.kafka.model.kafka.listener.KafkaListenerAuthenticationScramSha512;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.nodepool.ProcessRoles;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import io.strimzi.api.kafka.model.user.KafkaUserAuthorizationSimple;
import io.strimzi.api.kafka.model.user.acl.AclOperation;
import io.strimzi.api.kafka.model.user.acl.AclResourcePatternType;
import io.strimzi.api.kafka.model.user.acl.AclRule;
import io.strimzi.api.kafka.model.user.acl.AclRuleGroupResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTopicResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Strimzi resources of each overlay agree with the topic contract and with the services that use them. */
class OverlayKafkaTest {
    static final List<String> OVERLAYS = Rendered.OVERLAYS;

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyContractTopicHasExactlyOneKafkaTopicAndThereAreNoOthers(String overlay) {
        List<String> declared = Rendered.overlay(overlay).all(KafkaTopic.class).stream().map(OverlayKafkaTest::topicName).toList();
        assertEquals(declared.size(), new HashSet<>(declared).size(), "duplicate KafkaTopic: " + declared);
        assertEquals(new TreeSet<>(Topics.all()), new TreeSet<>(declared));
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void topicsBelongToTheClusterAndReplicateWithinItsBrokerCount(String overlay) {
        Manifests m = Rendered.overlay(overlay);
        Kafka kafka = m.all(Kafka.class).get(0);
        int brokers = m.all(KafkaNodePool.class).stream().filter(p -> p.getSpec().getRoles().contains(ProcessRoles.BROKER))
                .mapToInt(p -> p.getSpec().getReplicas()).sum();
        for (KafkaTopic t : m.all(KafkaTopic.class)) {
            String name = topicName(t);
            assertEquals(kafka.getMetadata().getName(), t.getMetadata().getLabels().get("strimzi.io/cluster"), name);
            int replicas = t.getSpec().getReplicas();
            int minIsr = Integer.parseInt(String.valueOf(t.getSpec().getConfig().get("min.insync.replicas")));
            assertTrue(replicas <= brokers && minIsr <= replicas && (replicas == 1 || minIsr < replicas),
                    name + ": replicas " + replicas + ", min.insync.replicas " + minIsr + ", brokers " + brokers);
            assertEquals("delete", t.getSpec().getConfig().get("cleanup.policy"), name);
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void trainerReplicasCanGrowToThePartitionsOfDatasetPrepared(String overlay) {
        Manifests m = Rendered.overlay(overlay);
        int partitions = m.get(KafkaTopic.class, Topics.DATASET_PREPARED).getSpec().getPartitions();
        int trainers = m.get(Deployment.class, "trainer-service").getSpec().getReplicas();
        assertTrue(partitions >= 8 && trainers <= partitions, "partitions " + partitions + ", trainers " + trainers);
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void kafkaRunsKraftNodePoolsWithOnlyTlsScramListenersAndNoPreV1Fields(String overlay) {
        Manifests m = Rendered.overlay(overlay);
        Kafka kafka = m.all(Kafka.class).get(0);
        assertEquals("enabled", kafka.getMetadata().getAnnotations().get("strimzi.io/kraft"));
        assertEquals("enabled", kafka.getMetadata().getAnnotations().get("strimzi.io/node-pools"));
        KafkaClusterSpec spec = kafka.getSpec().getKafka();
        assertNull(kafka.getSpec().getZookeeper(), "v1 has no zookeeper");
        assertNull(spec.getReplicas(), "node pools own replicas");
        assertNull(spec.getStorage(), "node pools own storage");
        for (GenericKafkaListener l : spec.getListeners()) {
            assertTrue(l.isTls(), l.getName() + " must use TLS");
            assertTrue(l.getAuth() instanceof KafkaListenerAuthenticationScramSha512, l.getName() + " must use SCRAM-SHA-512");
        }
        assertEquals("simple", spec.getAuthorization().getType());
        assertEquals(false, spec.getConfig().get("auto.create.topics.enable"));
        Set<ProcessRoles> roles = m.all(KafkaNodePool.class).stream()
                .peek(p -> assertEquals(kafka.getMetadata().getName(), p.getMetadata().getLabels().get("strimzi.io/cluster")))
                .flatMap(p -> p.getSpec().getRoles().stream()).collect(Collectors.toSet());
        assertEquals(Set.of(ProcessRoles.CONTROLLER, ProcessRoles.BROKER), roles);
    }

    /**
     * The dead-letter topic names encode each service's incoming channels
     * ({@code orpo.dlq.<service>.<subject>-<verb>.v1} for topic {@code orpo.<subject>.<verb>.v1}): each service must
     * read exactly those topics, read its own consumer groups, and write its dead-letter topics.
     */
    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void eachServiceUserReadsExactlyTheTopicsItsDeadLettersNameAndWritesThoseDeadLetters(String overlay) {
        Manifests m = Rendered.overlay(overlay);
        for (String service : Rendered.SERVICES) {
            List<String> dlqs = Topics.deadLetterTopics().stream().filter(t -> t.startsWith("orpo.dlq." + service + "."))
                    .toList();
            Set<String> incoming = dlqs.stream().map(OverlayKafkaTest::sourceOf).collect(Collectors.toSet());
            KafkaUser user = m.get(KafkaUser.class, service);
            assertEquals(incoming, topicsWith(user, AclOperation.READ), service + " reads");
            assertTrue(topicsWith(user, AclOperation.WRITE).containsAll(dlqs), service + " writes its dead letters");
            assertTrue(topicsWith(user, AclOperation.WRITE).contains(Topics.RUN_FAILED), service + " reports failures");
            assertTrue(acls(user).stream().anyMatch(a -> a.getResource() instanceof AclRuleGroupResource g
                    && g.getName().equals(service) && a.getOperations().contains(AclOperation.READ)),
                    service + " reads its consumer group");
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyEventTopicIsWrittenBySomeUserAndEveryAclNamesAnExistingTopic(String overlay) {
        Manifests m = Rendered.overlay(overlay);
        Set<String> written = new HashSet<>();
        for (KafkaUser u : m.all(KafkaUser.class)) {
            written.addAll(topicsWith(u, AclOperation.WRITE));
            for (AclRule a : acls(u)) {
                assertNull(a.getOperation(), "v1 uses operations (plural): " + u.getMetadata().getName());
                if (a.getResource() instanceof AclRuleTopicResource t) {
                    assertEquals(AclResourcePatternType.LITERAL, t.getPatternType(), t.getName());
                    assertTrue(Topics.all().contains(t.getName()), u.getMetadata().getName() + ": unknown topic " + t.getName());
                }
            }
        }
        assertTrue(written.containsAll(Topics.eventTopics()), "nobody writes " + Topics.eventTopics().stream()
                .filter(t -> !written.contains(t)).toList());
    }

    /** orpo.dlq.trainer-service.dataset-prepared.v1 → orpo.dataset.prepared.v1 */
    static String sourceOf(String dlq) {
        String channel = dlq.split("\\.")[3];
        return "orpo." + channel.replace('-', '.') + ".v1";
    }

    static String topicName(KafkaTopic t) {
        return t.getSpec().getTopicName() != null ? t.getSpec().getTopicName() : t.getMetadata().getName();
    }

    private static List<AclRule> acls(KafkaUser u) {
        return ((KafkaUserAuthorizationSimple) u.getSpec().getAuthorization()).getAcls();
    }

    private static Set<String> topicsWith(KafkaUser u, AclOperation op) {
        Set<String> out = new HashSet<>();
        for (AclRule a : acls(u)) {
            if (a.getResource() instanceof AclRuleTopicResource t && a.getOperations().contains(op)) {
                out.add(t.getName());
            }
        }
        assertFalse(out.contains(null));
        return out;
    }
}

package dev.orpo.deploy.k8s;

import dev.orpo.contracts.Topics;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.orpo.deploy.k8s.Yamls.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The keda-trainer component: a ScaledObject and TriggerAuthentication that fit KEDA's CRDs, scale the trainer
 * Deployment from 0 on the lag of the topic and group the trainer really consumes (read from its
 * application.properties), authenticate like the services (TLS + SCRAM, the cluster CA) as a KafkaUser that may only
 * describe that topic and group, and that Strimzi's listener policy lets in.
 */
class KedaTrainerComponentTest {
    static final List<String> WITH = Rendered.ALL.stream().filter(r -> r.contains("keda-trainer")).toList();

    @ParameterizedTest
    @FieldSource("WITH")
    void scalesTheTrainerDeploymentFromZeroOnTheLagOfTheTopicAndGroupItConsumes(String rendering) {
        Manifests m = Rendered.overlay(rendering);
        KedaModel.ScaledObject so = KedaModel.scaledObject(m.raw("ScaledObject", "trainer-service"));
        assertEquals(List.of(), KedaModel.check(m.raw("ScaledObject", "trainer-service")));
        assertEquals("Deployment", so.spec().scaleTargetRef().kind());
        Deployment trainer = m.get(Deployment.class, so.spec().scaleTargetRef().name());
        assertNull(trainer.getSpec().getReplicas(), "the HPA owns the replica count");
        assertEquals(0, so.spec().minReplicaCount());
        int partitions = (Integer) at(m.raw("KafkaTopic", Topics.DATASET_PREPARED), "spec", "partitions");
        assertTrue(so.spec().maxReplicaCount() >= 1 && so.spec().maxReplicaCount() <= partitions, "max " + so.spec().maxReplicaCount());

        KedaModel.Trigger t = so.spec().triggers().get(0);
        assertEquals(1, so.spec().triggers().size());
        assertEquals("kafka", t.type());
        ServiceChannels ch = ServiceChannels.of("trainer-service");
        assertEquals(Topics.DATASET_PREPARED, t.metadata().get("topic"));
        assertEquals(ch.incoming(Topics.DATASET_PREPARED, "group.id"), t.metadata().get("consumerGroup"));
        assertEquals(ch.incoming(Topics.DATASET_PREPARED, "auto.offset.reset"), t.metadata().get("offsetResetPolicy"));
        assertEquals("1", t.metadata().get("lagThreshold"), "one replica per run queued or training");
        String[] version = ((String) t.metadata().get("version")).split("\\.");
        assertTrue(Integer.parseInt(version[0]) > 2 || Integer.parseInt(version[0]) == 2 && Integer.parseInt(version[1]) >= 1,
                "Kafka 4 brokers speak no protocol older than 2.1: " + t.metadata().get("version"));

        Map<String, Object> kafka = m.raw("Kafka").get(0);
        Map<?, ?> tls = listener(kafka, "tls");
        assertEquals(at(kafka, "metadata", "name") + "-kafka-bootstrap.orpo.svc:" + tls.get("port"), t.metadata().get("bootstrapServers"));
        assertTrue(((List<?>) tls.get("networkPolicyPeers")).stream().anyMatch(p -> "keda".equals(
                at(p, "namespaceSelector", "matchLabels", "kubernetes.io/metadata.name"))), "KEDA's namespace may reach the listener");
    }

    @ParameterizedTest
    @FieldSource("WITH")
    void authenticatesWithTlsAndScramAsAUserThatMayOnlyDescribeTheTopicAndGroup(String rendering) {
        Manifests m = Rendered.overlay(rendering);
        KedaModel.Trigger t = KedaModel.scaledObject(m.raw("ScaledObject", "trainer-service")).spec().triggers().get(0);
        Map<String, Object> taDoc = m.raw("TriggerAuthentication", t.authenticationRef().name());
        assertEquals(List.of(), KedaModel.check(taDoc));
        KedaModel.TriggerAuthenticationSpec ta = KedaModel.triggerAuthentication(taDoc).spec();

        Map<String, Map<String, String>> configMaps = Rendered.configMaps(m);
        Map<String, Set<String>> secrets = Rendered.secretKeys(m);
        Map<String, String> params = new java.util.HashMap<>();
        ta.configMapTargetRef().forEach(r -> params.put(r.parameter(), configMaps.get(r.name()).get(r.key())));
        ta.secretTargetRef().forEach(r -> {
            assertTrue(secrets.getOrDefault(r.name(), Set.of()).contains(r.key()), r + " exists");
            params.put(r.parameter(), "secret:" + r.name() + "/" + r.key());
        });
        Map<?, ?> tls = listener(m.raw("Kafka").get(0), "tls");
        assertEquals(Boolean.TRUE.equals(tls.get("tls")) ? "enable" : "disable", params.get("tls"));
        // Strimzi's listener authentication type, in the KEDA Kafka scaler's spelling
        assertEquals(Map.of("scram-sha-512", "scram_sha512", "scram-sha-256", "scram_sha256")
                .get((String) at(tls, "authentication", "type")), params.get("sasl"));
        assertEquals("secret:" + at(m.raw("Kafka").get(0), "metadata", "name") + "-cluster-ca-cert/ca.crt", params.get("ca"));
        String user = params.get("username");
        assertEquals("secret:" + user + "/password", params.get("password"), "the password of the same KafkaUser");

        KafkaAcls acls = KafkaAcls.of(m.raw("KafkaUser", user));
        assertEquals(2, acls.all().size(), acls.toString());
        assertTrue(acls.all().stream().allMatch(a -> a.operations().equals(List.of("Describe"))
                && "literal".equals(a.patternType())), "describe only: " + acls);
        assertTrue(acls.allows("topic", (String) t.metadata().get("topic"), "Describe"));
        assertTrue(acls.allows("group", (String) t.metadata().get("consumerGroup"), "Describe"));
    }

    @Test
    void kedaModelRefusesTyposNonStringMetadataUnknownFieldsAndMissingRequiredOnes() {
        Map<String, Object> good = Rendered.overlay("gpu+keda-trainer").raw("ScaledObject", "trainer-service");
        assertEquals(List.of(), KedaModel.check(good));
        String yaml = Yamls.MAPPER.valueToTree(good).toString();
        assertTrue(KedaModel.check(parse(yaml.replace("\"lagThreshold\"", "\"lagThreshhold\""))).stream()
                .anyMatch(e -> e.contains("lagThreshhold")));
        assertTrue(KedaModel.check(parse(yaml.replace("\"lagThreshold\":\"1\"", "\"lagThreshold\":1"))).stream()
                .anyMatch(e -> e.contains("must be a string")));
        assertTrue(KedaModel.check(parse(yaml.replace("\"cooldownPeriod\"", "\"coolDownPeriod\""))).stream()
                .anyMatch(e -> e.contains("coolDownPeriod")));
        assertTrue(KedaModel.check(parse(yaml.replace("\"cooldownPeriod\":600", "\"cooldownPeriod\":\"600\""))).stream()
                .anyMatch(e -> e.contains("cooldownPeriod")), "integers are integers");
        assertTrue(KedaModel.check(parse(yaml.replace(
                "\"scaleTargetRef\":{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"name\":\"trainer-service\"}",
                "\"scaleTargetRef\":{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\"}"))).stream()
                .anyMatch(e -> e.contains("name")), "scaleTargetRef.name is required");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(String json) {
        return (Map<String, Object>) Yamls.read(json, "fixture");
    }

    @SuppressWarnings("unchecked")
    private static Map<?, ?> listener(Map<String, Object> kafka, String name) {
        return ((List<Map<?, ?>>) at(kafka, "spec", "kafka", "listeners")).stream()
                .filter(l -> name.equals(l.get("name"))).findFirst().orElseThrow();
    }
}

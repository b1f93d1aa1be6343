package dev.orpo.deploy.k8s;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Strimzi check itself, on fixtures: it accepts a valid v1 Kafka and rejects what Strimzi 1.x's API server
 * rejects, above all the broker {@code resources} under {@code spec.kafka} that only v1beta2 had (issue 13: the old
 * manifests passed the 0.51 model and were refused by the cluster).
 */
class StrimziSchemaTest {
    private static final String KAFKA = """
            apiVersion: kafka.strimzi.io/v1
            kind: Kafka
            metadata: {name: orpo}
            spec:
              kafka:
                version: 4.3.1
                listeners:
                  - {name: tls, port: 9093, type: internal, tls: true, authentication: {type: scram-sha-512}}
                authorization: {type: simple}
              entityOperator: {topicOperator: {}, userOperator: {}}
            """;

    @Test
    void acceptsAValidKafkaAndRefusesV1beta2BrokerResourcesTyposMissingRequiredFieldsAndBadPatterns() {
        Map<String, Map<String, Object>> fixtures = new LinkedHashMap<>();
        fixtures.put("valid", doc(KAFKA));
        fixtures.put("v1beta2 resources", doc(KAFKA.replace("    authorization:",
                "    resources: {requests: {cpu: '1', memory: 4Gi}}\n    authorization:")));
        fixtures.put("typo", doc(KAFKA.replace("authorization:", "authorisation:")));
        fixtures.put("listener without port", doc(KAFKA.replace("port: 9093, ", "")));
        fixtures.put("listener name pattern", doc(KAFKA.replace("name: tls,", "name: TLS_1,")));
        fixtures.put("old api", doc(KAFKA.replace("kafka.strimzi.io/v1", "kafka.strimzi.io/v1beta2")));
        fixtures.put("pool resources", doc("""
                apiVersion: kafka.strimzi.io/v1
                kind: KafkaNodePool
                metadata: {name: dual-role, labels: {strimzi.io/cluster: orpo}}
                spec:
                  replicas: 1
                  roles: [controller, broker]
                  storage: {type: jbod, volumes: [{id: 0, type: persistent-claim, size: 10Gi}]}
                  resources: {requests: {cpu: '1', memory: 4Gi}, limits: {memory: 4Gi}}
                """));
        fixtures.put("acl without operations", doc("""
                apiVersion: kafka.strimzi.io/v1
                kind: KafkaUser
                metadata: {name: u, labels: {strimzi.io/cluster: orpo}}
                spec:
                  authentication: {type: scram-sha-512}
                  authorization:
                    type: simple
                    acls: [{resource: {type: topic, name: t, patternType: literal}, operation: Read}]
                """));

        StrimziSchema.Result result = StrimziSchema.check(fixtures);
        Map<String, List<String>> e = result.errors();

        assertEquals(System.getProperty("strimzi.version"), result.modelVersion());
        assertEquals(List.of(), e.get("valid"));
        assertEquals(List.of(), e.get("pool resources"), "v1 sizes brokers on the KafkaNodePool");
        assertOne(e.get("v1beta2 resources"), "Kafka.spec.kafka", "resources");
        assertOne(e.get("typo"), "Kafka.spec.kafka", "authorisation");
        assertOne(e.get("listener without port"), "listeners[0].port", "required");
        assertOne(e.get("listener name pattern"), "listeners[0].name", "does not match");
        assertOne(e.get("old api"), "apiVersion/kind", "kafka.strimzi.io/v1beta2");
        assertTrue(e.get("acl without operations").stream().anyMatch(s -> s.contains("operation")
                && s.contains("acls[0]")), e.get("acl without operations").toString());
        assertTrue(e.get("acl without operations").stream().anyMatch(s -> s.endsWith("operations: required")),
                e.get("acl without operations").toString());
    }

    private static void assertOne(List<String> errors, String where, String what) {
        assertTrue(errors.size() == 1 && errors.get(0).contains(where) && errors.get(0).contains(what),
                "expected one error at " + where + " about " + what + ", got " + errors);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> doc(String yaml) {
        return (Map<String, Object>) Yamls.read(yaml, "fixture");
    }
}

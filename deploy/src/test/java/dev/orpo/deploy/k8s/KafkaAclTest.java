package dev.orpo.deploy.k8s;

import dev.orpo.contracts.Topics;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Least privilege on Kafka (issue 15, "Cluster access"): each workload's KafkaUser allows exactly the topics and
 * consumer groups its own application.properties names (incoming topics: Read; outgoing and dead-letter topics: Write;
 * its consumer groups: Read; Describe with each topic), and nothing else. Derived from the services' configuration and
 * the contracts module's topic names, not from a copied list.
 */
class KafkaAclTest {
    static final List<String> OVERLAYS = Rendered.ALL;

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void eachWorkloadsKafkaUserAllowsExactlyTheTopicsAndGroupsItsConfigurationNames(String overlay) {
        Manifests m = Rendered.overlay(overlay);
        Map<String, String> users = kafkaUsersOfDeployments(m);
        assertTrue(users.keySet().containsAll(Rendered.SERVICES), "every pipeline service talks to Kafka: " + users);
        users.forEach((deployment, user) -> {
            ServiceChannels ch = ServiceChannels.of(deployment);
            KafkaAcls acls = KafkaAcls.of(m.raw("KafkaUser", user));
            Set<String> writes = new TreeSet<>(ch.writes());
            writes.addAll(ch.deadLetters());
            assertEquals(ch.reads(), acls.topics("Read"), deployment + " reads");
            assertEquals(writes, acls.topics("Write"), deployment + " writes (outgoing and dead-letter topics)");
            for (KafkaAcls.Acl a : acls.all()) {
                switch (a.type()) {
                    case "topic" -> assertTrue(a.operations().equals(List.of("Read", "Describe"))
                            || a.operations().equals(List.of("Write", "Describe")), deployment + ": " + a);
                    case "group" -> {
                        assertEquals(List.of("Read"), a.operations(), deployment + ": " + a);
                        assertTrue(ch.groups().stream().anyMatch(g -> a.covers("group", g)),
                                deployment + ": group rule " + a.name() + " covers none of " + ch.groups());
                    }
                    default -> throw new AssertionError(deployment + ": no " + a.type() + " rights expected: " + a);
                }
            }
            ch.groups().forEach(g -> assertTrue(acls.allows("group", g, "Read"), deployment + " joins group " + g));
        });
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void servicesNameOnlyContractTopicsAndTheirOwnDeadLetterTopics(String overlay) {
        kafkaUsersOfDeployments(Rendered.overlay(overlay)).keySet().forEach(deployment -> {
            ServiceChannels ch = ServiceChannels.of(deployment);
            Set<String> named = new TreeSet<>(ch.reads());
            named.addAll(ch.writes());
            named.addAll(ch.deadLetters());
            assertTrue(Topics.all().containsAll(named), deployment + " names a topic outside the contract: " + named);
            assertEquals(Topics.deadLetterTopics().stream().filter(t -> t.startsWith("orpo.dlq." + deployment + "."))
                    .collect(java.util.stream.Collectors.toCollection(TreeSet::new)), ch.deadLetters(), deployment);
        });
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theCliUserWritesOnlyRequestsAndCancelsAndNoWorkloadSharesAKafkaUser(String overlay) {
        Manifests m = Rendered.overlay(overlay);
        KafkaAcls cli = KafkaAcls.of(m.raw("KafkaUser", "orpo-cli"));
        assertEquals(new TreeSet<>(List.of(Topics.TRAINING_REQUESTED, Topics.RUN_CANCELLED)), cli.topics("Write"));
        assertEquals(new TreeSet<>(Topics.eventTopics()), cli.topics("Read"), "orpo watch reads every event topic");
        Map<String, String> users = kafkaUsersOfDeployments(m);
        assertEquals(users.size(), Set.copyOf(users.values()).size(), "one KafkaUser per workload: " + users);
        assertFalse(users.containsValue("orpo-cli"), "workloads never use the people's KafkaUser");
    }

    /** Deployment → the KafkaUser whose SCRAM Secret it reads (Strimzi names the Secret like the user). */
    static Map<String, String> kafkaUsersOfDeployments(Manifests m) {
        Map<String, String> out = new TreeMap<>();
        for (Deployment d : m.all(Deployment.class)) {
            for (EnvVar e : OverlayWorkloadTest.main(d).getEnv()) {
                if (e.getName().equals("KAFKA_SASL_JAAS_CONFIG")) {
                    out.put(d.getMetadata().getName(), e.getValueFrom().getSecretKeyRef().getName());
                }
            }
        }
        return out;
    }
}

package dev.orpo.deploy.k8s;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The simple-authorization ACLs of one rendered KafkaUser (already checked against Strimzi's v1 model). */
record KafkaAcls(String user, List<Acl> all) {
    /** One rule: resource type (topic, group, cluster, transactionalId), name, pattern type, operations. */
    record Acl(String type, String name, String patternType, List<String> operations) {
        /** Whether this rule's resource covers {@code resource} of type {@code type}. */
        boolean covers(String resourceType, String resource) {
            return type.equals(resourceType) && ("prefix".equals(patternType) ? resource.startsWith(name) : resource.equals(name));
        }
    }

    @SuppressWarnings("unchecked")
    static KafkaAcls of(Map<String, Object> kafkaUser) {
        String user = (String) Yamls.at(kafkaUser, "metadata", "name");
        if (!"simple".equals(Yamls.at(kafkaUser, "spec", "authorization", "type"))) {
            throw new AssertionError(user + ": authorization must be simple (ACLs)");
        }
        List<Acl> acls = ((List<Map<String, Object>>) Yamls.at(kafkaUser, "spec", "authorization", "acls")).stream()
                .map(a -> new Acl((String) Yamls.at(a, "resource", "type"), (String) Yamls.at(a, "resource", "name"),
                        (String) Yamls.at(a, "resource", "patternType"), (List<String>) a.get("operations")))
                .toList();
        return new KafkaAcls(user, acls);
    }

    /** Names of the topics on which some rule grants {@code operation}. */
    Set<String> topics(String operation) {
        Set<String> out = new TreeSet<>();
        all.stream().filter(a -> a.type().equals("topic") && a.operations().contains(operation)).forEach(a -> out.add(a.name()));
        return out;
    }

    /** Whether some rule grants {@code operation} on {@code resource} of {@code type}. */
    boolean allows(String type, String resource, String operation) {
        return all.stream().anyMatch(a -> a.covers(type, resource) && a.operations().contains(operation));
    }
}

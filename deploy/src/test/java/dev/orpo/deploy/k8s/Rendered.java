package dev.orpo.deploy.k8s;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rendered overlays, each rendered once per test JVM, with the names and keys of every Secret and ConfigMap that
 * will exist in namespace orpo: rendered ConfigMaps, the Secrets of deploy/k8s/secrets (from the committed examples),
 * and the Secrets Strimzi creates (cluster CA certificate per Kafka, one per SCRAM KafkaUser).
 */
final class Rendered {
    static final List<String> OVERLAYS = List.of("cpu", "gpu");
    static final List<String> COMPONENTS = List.of("hub-access", "keda-trainer");
    /** What the tests render: every overlay alone, with each component, and with all components. */
    static final List<String> ALL = renderings();
    static final List<String> SERVICES = List.of("dataset-service", "trainer-service", "merger-service", "eval-service");

    private static final Map<String, Manifests> CACHE = new ConcurrentHashMap<>();
    private static volatile Manifests secrets;
    private static StrimziSchema.Result strimzi;

    private Rendered() {
    }

    static Manifests overlay(String name) {
        return CACHE.computeIfAbsent(name, Manifests::overlay);
    }

    /**
     * The Strimzi model check of every Strimzi object of every rendering, run once per test JVM (one child JVM), keyed
     * "rendering: Kind/name".
     */
    static synchronized StrimziSchema.Result strimzi() {
        if (strimzi == null) {
            Map<String, Map<String, Object>> objects = new java.util.LinkedHashMap<>();
            for (String o : ALL) {
                overlay(o).customResources(StrimziModelCheck.API_VERSION).forEach((id, doc) -> objects.put(o + ": " + id, doc));
            }
            strimzi = StrimziSchema.check(objects);
        }
        return strimzi;
    }

    private static List<String> renderings() {
        List<String> out = new java.util.ArrayList<>();
        for (String o : OVERLAYS) {
            out.add(o);
            COMPONENTS.forEach(c -> out.add(o + "+" + c));
            out.add(o + "+" + String.join("+", COMPONENTS));
        }
        return List.copyOf(out);
    }

    /** deploy/k8s/secrets rendered from its *.env.example files. */
    static synchronized Manifests secrets() {
        if (secrets == null) {
            try {
                secrets = Manifests.secretsFromExamples(Files.createTempDirectory("orpo-k8s-secrets"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return secrets;
    }

    /** Secret name → its keys, for every Secret that exists once the overlay and the secrets are applied. */
    static Map<String, Set<String>> secretKeys(Manifests overlay) {
        Map<String, Set<String>> out = new HashMap<>();
        for (Secret s : secrets().all(Secret.class)) {
            out.put(s.getMetadata().getName(), s.getData().keySet());
        }
        for (Map<String, Object> k : overlay.raw("Kafka")) {
            // Strimzi Cluster Operator: the cluster CA certificate that signs the broker certificates
            out.put(Yamls.at(k, "metadata", "name") + "-cluster-ca-cert", Set.of("ca.crt", "ca.p12", "ca.password"));
        }
        for (Map<String, Object> u : overlay.raw("KafkaUser")) {
            if ("scram-sha-512".equals(Yamls.at(u, "spec", "authentication", "type"))) {
                // Strimzi User Operator: the SCRAM password and the ready-made JAAS line
                out.put((String) Yamls.at(u, "metadata", "name"), Set.of("password", "sasl.jaas.config"));
            }
        }
        return out;
    }

    /** ConfigMap name → data. */
    static Map<String, Map<String, String>> configMaps(Manifests overlay) {
        Map<String, Map<String, String>> out = new HashMap<>();
        overlay.all(ConfigMap.class).forEach(c -> out.put(c.getMetadata().getName(), c.getData()));
        return out;
    }

    static String decoded(Secret s, String key) {
        return new String(Base64.getDecoder().decode(s.getData().get(key)));
    }

    static Deployment service(Manifests m, String name) {
        return m.get(Deployment.class, name);
    }
}

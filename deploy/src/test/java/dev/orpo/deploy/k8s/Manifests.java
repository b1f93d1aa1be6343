package dev.orpo.deploy.k8s;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A rendered kustomization as typed objects: fabric8 Kubernetes models for built-in kinds. Custom resources (Strimzi's
 * kafka.strimzi.io/v1, KEDA's keda.sh/v1alpha1) stay {@link GenericKubernetesResource}s here: their schemas are
 * checked by {@link StrimziSchema} and {@link KedaModel}, and tests read them from {@link #raw(String)}. A kind
 * without a model here is an error.
 */
record Manifests(List<Map<String, Object>> raw, List<HasMetadata> objects) {
    /** deploy/k8s of this module (surefire runs in the module directory and sets basedir). */
    static final Path K8S = Path.of(System.getProperty("basedir", ".")).resolve("k8s").toAbsolutePath().normalize();

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
    private static final Map<String, Class<? extends HasMetadata>> MODELS = Map.ofEntries(
            Map.entry("v1/Namespace", Namespace.class), Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Secret", Secret.class), Map.entry("v1/Service", Service.class),
            Map.entry("apps/v1/Deployment", Deployment.class), Map.entry("apps/v1/StatefulSet", StatefulSet.class),
            Map.entry("batch/v1/Job", Job.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry(StrimziModelCheck.API_VERSION + "/Kafka", GenericKubernetesResource.class),
            Map.entry(StrimziModelCheck.API_VERSION + "/KafkaNodePool", GenericKubernetesResource.class),
            Map.entry(StrimziModelCheck.API_VERSION + "/KafkaTopic", GenericKubernetesResource.class),
            Map.entry(StrimziModelCheck.API_VERSION + "/KafkaUser", GenericKubernetesResource.class),
            Map.entry(KedaModel.API_VERSION + "/ScaledObject", GenericKubernetesResource.class),
            Map.entry(KedaModel.API_VERSION + "/TriggerAuthentication", GenericKubernetesResource.class));

    /**
     * Renders and parses deploy/k8s/overlays/{@code name}, or, for "overlay+component+...", that overlay with
     * components of deploy/k8s/components, as a user's kustomization listing them under {@code components:} would.
     */
    static Manifests overlay(String name) {
        String[] parts = name.split("\\+");
        if (parts.length == 1) {
            return of(Kustomize.render(K8S.resolve("overlays").resolve(name)));
        }
        StringBuilder k = new StringBuilder("resources:\n  - ").append(K8S.resolve("overlays").resolve(parts[0]))
                .append("\ncomponents:\n");
        for (int i = 1; i < parts.length; i++) {
            k.append("  - ").append(K8S.resolve("components").resolve(parts[i])).append('\n');
        }
        try {
            Path dir = Files.createTempDirectory("orpo-k8s-" + parts[0]);
            Files.writeString(dir.resolve("kustomization.yaml"), k);
            return of(Kustomize.render(dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Renders deploy/k8s/secrets with every committed {@code *.env.example} standing in for its git-ignored env file. */
    static Manifests secretsFromExamples(Path scratch) {
        try (Stream<Path> files = Files.list(K8S.resolve("secrets"))) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                Files.copy(f, scratch.resolve(n.endsWith(".env.example") ? n.substring(0, n.length() - 8) : n));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return of(Kustomize.render(scratch));
    }

    static Manifests of(List<Map<String, Object>> raw) {
        List<HasMetadata> typed = raw.stream().map(Manifests::typed).toList();
        return new Manifests(raw, typed);
    }

    private static HasMetadata typed(Map<String, Object> object) {
        String key = object.get("apiVersion") + "/" + object.get("kind");
        Class<? extends HasMetadata> model = MODELS.get(key);
        if (model == null) {
            throw new IllegalStateException("no model for " + key + " " + Yamls.at(object, "metadata", "name"));
        }
        try {
            return MAPPER.convertValue(object, model);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(key + " " + Yamls.at(object, "metadata", "name") + " does not fit its model: "
                    + e.getMessage(), e);
        }
    }

    /** The documents of one kind, as parsed from YAML (for custom resources, after their schema check). */
    List<Map<String, Object>> raw(String kind) {
        List<Map<String, Object>> out = raw.stream().filter(o -> kind.equals(o.get("kind"))).toList();
        if (out.isEmpty()) {
            throw new AssertionError("no " + kind + " rendered");
        }
        return out;
    }

    /** The document of {@code kind} named {@code name}. */
    Map<String, Object> raw(String kind, String name) {
        return raw(kind).stream().filter(o -> name.equals(Yamls.at(o, "metadata", "name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    /** Every custom resource (anything without a typed model here), by "Kind/name". */
    Map<String, Map<String, Object>> customResources(String apiVersion) {
        Map<String, Map<String, Object>> out = new java.util.LinkedHashMap<>();
        raw.stream().filter(o -> apiVersion.equals(o.get("apiVersion")))
                .forEach(o -> out.put(o.get("kind") + "/" + Yamls.at(o, "metadata", "name"), o));
        return out;
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
    }

    <T extends HasMetadata> T get(Class<T> type, String name) {
        return find(type, name).orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }
}

package dev.orpo.deploy.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders a kustomization directory the way {@code kubectl kustomize} (kustomize 5) does, for the subset of
 * kustomize that deploy/k8s uses: {@code resources} (files and directories), {@code components} (directories whose
 * kustomization is {@code kind: Component}: applied in order after the resources, each adding its own resources and
 * generated objects and patching everything accumulated so far, before the including kustomization's own
 * transformers), {@code namespace}, {@code labels} (without selectors), {@code images}, {@code patches} (strategic
 * merge or JSON 6902, by path or inline, with a group/version/kind/name target), and
 * {@code secretGenerator}/{@code configMapGenerator} from env files or literals with name hashing disabled. Any other
 * field is an error, so the subset can never silently diverge from kustomize. Test code only: CI needs no kubectl.
 */
final class Kustomize {
    private static final Set<String> KNOWN_FIELDS = Set.of("apiVersion", "kind", "namespace", "labels", "resources",
            "components", "images", "patches", "secretGenerator", "configMapGenerator", "generatorOptions");
    private static final String COMPONENT = "Component";
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding",
            "CustomResourceDefinition", "PersistentVolume", "StorageClass", "PriorityClass");
    private static final Set<String> POD_TEMPLATE_KINDS = Set.of("Deployment", "StatefulSet", "DaemonSet",
            "ReplicaSet", "Job");

    private Kustomize() {
    }

    /** Every object of the kustomization in {@code dir}, fully transformed. */
    static List<Map<String, Object>> render(Path dir) {
        Map<String, Object> k = kustomization(dir, false);
        List<Map<String, Object>> objects = new ArrayList<>();
        build(dir, k, objects);
        return objects;
    }

    /**
     * Adds the resources of {@code k} to {@code objects}, applies its components, then its generators and
     * transformers to everything in {@code objects}: for a kustomization that is all its own objects, for a component
     * also the objects of the kustomization that includes it.
     */
    @SuppressWarnings("unchecked")
    private static void build(Path dir, Map<String, Object> k, List<Map<String, Object>> objects) {
        for (String r : (List<String>) k.getOrDefault("resources", List.of())) {
            Path p = dir.resolve(r).normalize();
            if (Files.isDirectory(p)) {
                objects.addAll(render(p));
            } else {
                Yamls.readAll(p).forEach(doc -> objects.add((Map<String, Object>) doc));
            }
        }
        for (String c : (List<String>) k.getOrDefault("components", List.of())) {
            Path p = dir.resolve(c).normalize();
            build(p, kustomization(p, true), objects);
        }
        Map<String, Object> options = (Map<String, Object>) k.getOrDefault("generatorOptions", Map.of());
        objects.addAll(generate(dir, "Secret", (List<Map<String, Object>>) k.get("secretGenerator"), options));
        objects.addAll(generate(dir, "ConfigMap", (List<Map<String, Object>>) k.get("configMapGenerator"), options));
        for (Map<String, Object> patch : (List<Map<String, Object>>) k.getOrDefault("patches", List.of())) {
            Patches.apply(dir, patch, objects);
        }
        String namespace = (String) k.get("namespace");
        if (namespace != null) {
            objects.stream().filter(o -> !CLUSTER_SCOPED.contains(o.get("kind")))
                    .forEach(o -> Yamls.mapAt(o, "metadata").put("namespace", namespace));
        }
        for (Map<String, Object> label : (List<Map<String, Object>>) k.getOrDefault("labels", List.of())) {
            addLabels(objects, label, dir.resolve("kustomization.yaml"));
        }
        for (Map<String, Object> image : (List<Map<String, Object>>) k.getOrDefault("images", List.of())) {
            objects.forEach(o -> retag(o, image));
        }
    }

    /** The kustomization.yaml of {@code dir}, checked to be a Component exactly when {@code component}. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> kustomization(Path dir, boolean component) {
        Path file = dir.resolve("kustomization.yaml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no kustomization.yaml in " + dir);
        }
        Map<String, Object> k = (Map<String, Object>) Yamls.readAll(file).get(0);
        for (String field : k.keySet()) {
            if (!KNOWN_FIELDS.contains(field)) {
                throw new UnsupportedOperationException(file + ": field '" + field + "' is not supported by this renderer");
            }
        }
        if (component != COMPONENT.equals(k.get("kind"))) {
            throw new IllegalArgumentException(file + (component ? " is listed as a component but is not kind: Component"
                    : " is kind: Component: include it under components:, not resources:"));
        }
        return k;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> generate(Path dir, String kind, List<Map<String, Object>> generators,
                                                      Map<String, Object> options) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (generators == null) {
            return out;
        }
        if (!Boolean.TRUE.equals(options.get("disableNameSuffixHash"))) {
            throw new UnsupportedOperationException(dir + ": generators need generatorOptions.disableNameSuffixHash: true "
                    + "(name hashing and reference rewriting are not implemented)");
        }
        for (Map<String, Object> g : generators) {
            Map<String, Object> data = new LinkedHashMap<>();
            for (String env : (List<String>) g.getOrDefault("envs", List.of())) {
                readEnvFile(dir.resolve(env)).forEach(data::put);
            }
            for (String literal : (List<String>) g.getOrDefault("literals", List.of())) {
                int eq = literal.indexOf('=');
                data.put(literal.substring(0, eq), literal.substring(eq + 1));
            }
            if (g.containsKey("files") || g.containsKey("behavior")) {
                throw new UnsupportedOperationException(dir + ": generator " + g.get("name") + " uses files/behavior");
            }
            if (kind.equals("Secret")) {
                data.replaceAll((key, v) -> Base64.getEncoder().encodeToString(((String) v).getBytes(StandardCharsets.UTF_8)));
            }
            Map<String, Object> obj = new LinkedHashMap<>();
            obj.put("apiVersion", "v1");
            obj.put("kind", kind);
            Map<String, Object> metadata = Yamls.mapAt(obj, "metadata");
            metadata.put("name", g.get("name"));
            if (options.get("labels") != null) {
                metadata.put("labels", Yamls.deepCopy(options.get("labels")));
            }
            if (kind.equals("Secret")) {
                obj.put("type", g.getOrDefault("type", "Opaque"));
            }
            obj.put("data", data);
            out.add(obj);
        }
        return out;
    }

    /** KEY=VALUE lines; blank lines and # comments skipped, as kustomize reads env files. */
    static Map<String, String> readEnvFile(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                int eq = t.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException(file + ": not KEY=VALUE: " + line);
                }
                out.put(t.substring(0, eq), t.substring(eq + 1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read env file " + file, e);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void addLabels(List<Map<String, Object>> objects, Map<String, Object> label, Path file) {
        if (!Boolean.FALSE.equals(label.getOrDefault("includeSelectors", false))) {
            throw new UnsupportedOperationException(file + ": labels with includeSelectors are not supported");
        }
        Map<String, Object> pairs = (Map<String, Object>) label.get("pairs");
        boolean templates = Boolean.TRUE.equals(label.get("includeTemplates"));
        for (Map<String, Object> o : objects) {
            Yamls.mapAt(o, "metadata", "labels").putAll(pairs);
            if (templates && POD_TEMPLATE_KINDS.contains(o.get("kind"))) {
                Yamls.mapAt(o, "spec", "template", "metadata", "labels").putAll(pairs);
            }
            if (templates && Yamls.at(o, "spec", "volumeClaimTemplates") instanceof List<?> claims) {
                claims.forEach(c -> Yamls.mapAt((Map<String, Object>) c, "metadata", "labels").putAll(pairs));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void retag(Map<String, Object> object, Map<String, Object> image) {
        if (image.containsKey("digest")) {
            throw new UnsupportedOperationException("images: digest is not supported (" + image.get("name") + ")");
        }
        if (!(Yamls.at(object, "spec", "template", "spec") instanceof Map<?, ?> podSpec)) {
            return;
        }
        for (String field : List.of("containers", "initContainers")) {
            Object containers = podSpec.get(field);
            for (Map<String, Object> c : containers == null ? List.<Map<String, Object>>of()
                    : (List<Map<String, Object>>) containers) {
                String ref = (String) c.get("image");
                int colon = ref.lastIndexOf(':');
                boolean tagged = colon > ref.lastIndexOf('/');
                String name = tagged ? ref.substring(0, colon) : ref;
                if (!name.equals(image.get("name"))) {
                    continue;
                }
                String newName = (String) image.getOrDefault("newName", name);
                String tag = (String) image.getOrDefault("newTag", tagged ? ref.substring(colon + 1) : null);
                c.put("image", tag == null ? newName : newName + ":" + tag);
            }
        }
    }
}

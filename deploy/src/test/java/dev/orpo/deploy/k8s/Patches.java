package dev.orpo.deploy.k8s;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One {@code patches:} entry of a kustomization: the patch comes from {@code path} or inline {@code patch}; a list of
 * operations is a JSON 6902 patch applied to every object the {@code target} selects, a map (or several YAML
 * documents) is a strategic merge patch applied to the target or, without one, to the object it names. A patch that
 * selects nothing is an error (a renamed object must not silently lose its patch).
 */
final class Patches {
    private static final Set<String> TARGET_FIELDS = Set.of("group", "version", "kind", "name");

    private Patches() {
    }

    @SuppressWarnings("unchecked")
    static void apply(Path dir, Map<String, Object> entry, List<Map<String, Object>> objects) {
        Map<String, Object> target = (Map<String, Object>) entry.get("target");
        if (target != null && !TARGET_FIELDS.containsAll(target.keySet())) {
            throw new UnsupportedOperationException(dir + ": patch target fields " + target.keySet()
                    + " (supported: " + TARGET_FIELDS + ")");
        }
        String where = dir + ": patch " + entry.getOrDefault("path", "(inline)");
        List<Object> docs = entry.containsKey("path") ? Yamls.readAll(dir.resolve((String) entry.get("path")))
                : List.of(Yamls.read((String) entry.get("patch"), where));
        for (Object doc : docs) {
            if (doc instanceof List<?> ops) {
                if (target == null) {
                    throw new IllegalArgumentException(where + ": a JSON 6902 patch needs a target");
                }
                selected(objects, target, where).forEach(o -> JsonPatch.apply(o, ops, where));
            } else {
                Map<String, Object> smp = (Map<String, Object>) doc;
                Map<String, Object> sel = target != null ? target : Map.of(
                        "kind", smp.get("kind"), "name", Yamls.at(smp, "metadata", "name"),
                        "group", group((String) smp.get("apiVersion")));
                Map<String, Object> body = Yamls.deepCopy(smp);
                body.remove("apiVersion");
                body.remove("kind");
                Map<String, Object> meta = Yamls.mapAt(body, "metadata");
                meta.remove("name");
                meta.remove("namespace");
                if (meta.isEmpty()) {
                    body.remove("metadata");
                }
                for (Map<String, Object> o : selected(objects, sel, where)) {
                    StrategicMergePatch.apply(o, body, isBuiltIn((String) o.get("apiVersion")), where);
                }
            }
        }
    }

    private static List<Map<String, Object>> selected(List<Map<String, Object>> objects, Map<String, Object> target,
                                                      String where) {
        List<Map<String, Object>> hits = objects.stream().filter(o -> matches(o, target)).toList();
        if (hits.isEmpty()) {
            throw new IllegalStateException(where + ": target " + target + " selects no object");
        }
        return hits;
    }

    private static boolean matches(Map<String, Object> o, Map<String, Object> target) {
        String apiVersion = (String) o.get("apiVersion");
        return eq(target.get("kind"), o.get("kind"))
                && eq(target.get("name"), Yamls.at(o, "metadata", "name"))
                && eq(target.get("group"), group(apiVersion))
                && eq(target.get("version"), apiVersion.substring(apiVersion.indexOf('/') + 1));
    }

    private static boolean eq(Object wanted, Object actual) {
        return wanted == null || wanted.equals(actual);
    }

    /** The API group of an apiVersion: "" for core v1. */
    static String group(String apiVersion) {
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    /** Kinds whose schema (patch merge keys) is known: core and the *.k8s.io / apps / batch groups. */
    static boolean isBuiltIn(String apiVersion) {
        String g = group(apiVersion);
        return g.isEmpty() || !g.contains(".") || g.endsWith(".k8s.io");
    }
}

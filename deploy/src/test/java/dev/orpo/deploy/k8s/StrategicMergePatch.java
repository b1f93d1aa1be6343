package dev.orpo.deploy.k8s;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The part of Kubernetes strategic merge patch that kustomize applies and these manifests use: maps merge key by key,
 * a null value deletes, lists of the built-in workload fields below merge by their patch merge key (patched items
 * first, in patch order, then the untouched originals, as kustomize 5 orders them), every other list is replaced.
 * On custom resources (no schema here) a patch that would merge two lists is rejected: use a JSON patch instead.
 */
final class StrategicMergePatch {
    /** patchMergeKey of the core/v1 PodSpec and Container list fields. */
    private static final Map<String, String> MERGE_KEYS = Map.of(
            "containers", "name", "initContainers", "name", "ephemeralContainers", "name", "volumes", "name",
            "volumeMounts", "mountPath", "env", "name", "imagePullSecrets", "name", "ports", "containerPort");

    private StrategicMergePatch() {
    }

    /** Merges {@code patch} into {@code target} (changed in place); {@code builtIn}: the kind has a known schema. */
    static void apply(Map<String, Object> target, Map<String, Object> patch, boolean builtIn, String where) {
        mergeMaps(target, patch, builtIn, where);
    }

    @SuppressWarnings("unchecked")
    private static void mergeMaps(Map<String, Object> target, Map<String, Object> patch, boolean builtIn, String where) {
        for (Map.Entry<String, Object> e : patch.entrySet()) {
            String key = e.getKey();
            Object value = e.getValue();
            if (key.startsWith("$")) {
                throw new UnsupportedOperationException(where + ": directive " + key + " is not supported");
            }
            Object existing = target.get(key);
            if (value == null) {
                target.remove(key);
            } else if (existing instanceof Map<?, ?> em && value instanceof Map<?, ?> vm) {
                mergeMaps((Map<String, Object>) em, (Map<String, Object>) vm, builtIn, where + "." + key);
            } else if (existing instanceof List<?> el && value instanceof List<?> vl) {
                if (!builtIn) {
                    throw new UnsupportedOperationException(where + "." + key
                            + ": list merge on a custom resource is schema-dependent; use a JSON patch");
                }
                String mergeKey = MERGE_KEYS.get(key);
                target.put(key, mergeKey == null ? Yamls.deepCopy(vl)
                        : mergeLists((List<Object>) el, (List<Object>) vl, mergeKey, where + "." + key));
            } else {
                target.put(key, Yamls.deepCopy(value));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> mergeLists(List<Object> original, List<Object> patch, String mergeKey, String where) {
        List<Object> result = new ArrayList<>();
        List<Object> untouched = new ArrayList<>(original);
        for (Object p : patch) {
            Map<String, Object> pm = (Map<String, Object>) p;
            Object key = pm.get(mergeKey);
            if (key == null) {
                throw new IllegalArgumentException(where + ": patch item without merge key '" + mergeKey + "': " + p);
            }
            Map<String, Object> match = null;
            for (Object o : untouched) {
                if (key.equals(((Map<String, Object>) o).get(mergeKey))) {
                    match = (Map<String, Object>) o;
                }
            }
            if (match == null) {
                result.add(Yamls.deepCopy(pm));
            } else {
                untouched.remove(match);
                mergeMaps(match, pm, true, where + "[" + key + "]");
                result.add(match);
            }
        }
        result.addAll(untouched);
        return result;
    }
}

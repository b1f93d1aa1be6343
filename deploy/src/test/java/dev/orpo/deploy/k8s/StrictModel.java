package dev.orpo.deploy.k8s;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds fields that a model class did not recognise. Both fabric8 and Strimzi keep unknown YAML fields in an
 * {@code additionalProperties} map instead of failing, so a typo such as {@code readinesProbe} would parse silently;
 * this walks the parsed object tree and reports every non-empty one with its path.
 */
final class StrictModel {
    private StrictModel() {
    }

    /** "path: {unknown=...}" for every model object below {@code root} that holds unknown fields. */
    static List<String> unknownFields(Object root) {
        List<String> out = new ArrayList<>();
        walk(root, root.getClass().getSimpleName(), out, Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    private static void walk(Object node, String path, List<String> out, Set<Object> seen) {
        // a model object reachable through two getters (CustomResource#getSpec and a typed override) counts once
        if (node == null || !seen.add(node)) {
            return;
        }
        if (node instanceof Collection<?> c) {
            int i = 0;
            for (Object o : c) {
                walk(o, path + "[" + i++ + "]", out, seen);
            }
            return;
        }
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> walk(v, path + "." + k, out, seen));
            return;
        }
        if (!isModel(node.getClass())) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(node);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + path + "." + getter.getName(), e);
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    out.add(path + ": " + extra.keySet());
                }
            } else {
                walk(value, path + "." + property(getter.getName()), out, seen);
            }
        }
    }

    private static boolean isModel(Class<?> type) {
        String n = type.getName();
        return !type.isEnum() && (n.startsWith("io.fabric8.kubernetes.api.model.") || n.startsWith("io.strimzi.api."));
    }

    private static String property(String getter) {
        return Character.toLowerCase(getter.charAt(3)) + getter.substring(4);
    }
}

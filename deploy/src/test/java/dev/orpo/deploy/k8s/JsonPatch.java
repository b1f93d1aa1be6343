package dev.orpo.deploy.k8s;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * RFC 6902 JSON Patch (operations add, remove, replace, test) on a parsed YAML document, as kustomize applies a
 * {@code patches:} entry whose content is a list of operations. Any other operation is rejected, never ignored.
 */
final class JsonPatch {
    private JsonPatch() {
    }

    /** Applies every operation in order to {@code doc} (changed in place); {@code where} names the patch in errors. */
    static void apply(Map<String, Object> doc, List<?> operations, String where) {
        for (Object o : operations) {
            if (!(o instanceof Map<?, ?> op)) {
                throw new IllegalArgumentException(where + ": a JSON patch operation must be a map, got " + o);
            }
            String kind = (String) op.get("op");
            String path = (String) op.get("path");
            if (kind == null || path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException(where + ": operation needs op and a /path: " + op);
            }
            List<String> tokens = tokens(path);
            Object parent = resolve(doc, tokens.subList(0, tokens.size() - 1), where, path);
            String last = tokens.get(tokens.size() - 1);
            Object value = Yamls.deepCopy(op.get("value"));
            switch (kind) {
                case "add" -> add(parent, last, value, where, path);
                case "replace" -> {
                    get(parent, last, where, path);
                    set(parent, last, value, where, path);
                }
                case "remove" -> remove(parent, last, where, path);
                case "test" -> {
                    Object actual = get(parent, last, where, path);
                    if (!Yamls.sameValue(actual, value)) {
                        throw new IllegalStateException(where + ": test failed at " + path + ": expected " + value
                                + ", found " + actual);
                    }
                }
                default -> throw new UnsupportedOperationException(where + ": JSON patch op '" + kind
                        + "' is not supported by this renderer (add, remove, replace, test)");
            }
        }
    }

    private static List<String> tokens(String path) {
        List<String> out = new ArrayList<>();
        for (String t : path.substring(1).split("/", -1)) {
            out.add(t.replace("~1", "/").replace("~0", "~"));
        }
        return out;
    }

    private static Object resolve(Object node, List<String> tokens, String where, String path) {
        Object current = node;
        for (String t : tokens) {
            current = get(current, t, where, path);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    private static Object get(Object node, String token, String where, String path) {
        if (node instanceof Map<?, ?> map) {
            if (!map.containsKey(token)) {
                throw new IllegalStateException(where + ": no field '" + token + "' on the way to " + path);
            }
            return map.get(token);
        }
        if (node instanceof List<?> list) {
            return list.get(index(list, token, false, where, path));
        }
        throw new IllegalStateException(where + ": cannot descend into a scalar at '" + token + "' of " + path);
    }

    @SuppressWarnings("unchecked")
    private static void set(Object node, String token, Object value, String where, String path) {
        if (node instanceof Map<?, ?> map) {
            ((Map<String, Object>) map).put(token, value);
        } else if (node instanceof List<?> list) {
            ((List<Object>) list).set(index(list, token, false, where, path), value);
        } else {
            throw new IllegalStateException(where + ": cannot set into a scalar at " + path);
        }
    }

    @SuppressWarnings("unchecked")
    private static void add(Object node, String token, Object value, String where, String path) {
        if (node instanceof List<?> list) {
            ((List<Object>) list).add(index(list, token, true, where, path), value);
        } else {
            set(node, token, value, where, path);
        }
    }

    private static void remove(Object node, String token, String where, String path) {
        get(node, token, where, path);
        if (node instanceof Map<?, ?> map) {
            map.remove(token);
        } else {
            ((List<?>) node).remove(index((List<?>) node, token, false, where, path));
        }
    }

    private static int index(List<?> list, String token, boolean forAdd, String where, String path) {
        if (forAdd && token.equals("-")) {
            return list.size();
        }
        int i;
        try {
            i = Integer.parseInt(token);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(where + ": '" + token + "' is not a list index in " + path);
        }
        if (i < 0 || i > list.size() || (!forAdd && i == list.size())) {
            throw new IllegalStateException(where + ": index " + i + " out of range (size " + list.size() + ") in " + path);
        }
        return i;
    }
}

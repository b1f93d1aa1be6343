package dev.orpo.deploy.k8s;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Runs in a Java 21+ child JVM (see {@link StrimziSchema}): parses each Strimzi object with Strimzi's own API classes
 * for {@code kafka.strimzi.io/v1} (io.strimzi:api, which a Java 17 JVM cannot load), refusing unknown fields, and
 * checks what the CRD schema that Strimzi generates from these classes enforces: required properties
 * ({@code @JsonProperty(required = true)}, {@code @RequiredInVersions}), properties absent from v1
 * ({@code @PresentInVersions}), {@code @Pattern}, {@code @Minimum}, {@code @Maximum} and {@code @MinimumItems}.
 * No compile-time reference to a Strimzi class: everything is reached by reflection.
 *
 * <p>Input: a JSON file {@code {"<id>": <object>, ...}}. Output on stdout: {@code {"modelVersion": "<jar version>",
 * "errors": {"<id>": ["path: problem", ...]}}}.
 */
public final class StrimziModelCheck {
    static final String API_VERSION = "kafka.strimzi.io/v1";
    private static final String MODEL = "io.strimzi.api.kafka.model.";
    private static final Map<String, String> KINDS = Map.of(
            "Kafka", MODEL + "kafka.Kafka", "KafkaNodePool", MODEL + "nodepool.KafkaNodePool",
            "KafkaTopic", MODEL + "topic.KafkaTopic", "KafkaUser", MODEL + "user.KafkaUser");
    private static final String ANNOTATIONS = "io.strimzi.crdgenerator.annotations.";
    private static final List<String> VERSIONS = List.of("v1alpha1", "v1beta1", "v1beta2", "v1");

    private StrimziModelCheck() {
    }

    public static void main(String[] args) throws Exception {
        ObjectMapper mapper = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> objects = mapper.readValue(Path.of(args[0]).toFile(), Map.class);
        Map<String, List<String>> errors = new LinkedHashMap<>();
        objects.forEach((id, doc) -> errors.put(id, check(mapper, doc)));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("modelVersion", Class.forName(KINDS.get("Kafka")).getPackage().getImplementationVersion());
        out.put("errors", errors);
        System.out.println(mapper.writeValueAsString(out));
    }

    private static List<String> check(ObjectMapper mapper, Map<String, Object> doc) {
        List<String> out = new ArrayList<>();
        String kind = String.valueOf(doc.get("kind"));
        if (!API_VERSION.equals(doc.get("apiVersion")) || !KINDS.containsKey(kind)) {
            out.add("apiVersion/kind " + doc.get("apiVersion") + "/" + kind + " is not one of " + API_VERSION + " " + KINDS.keySet());
            return out;
        }
        Object parsed;
        try {
            parsed = mapper.convertValue(doc, Class.forName(KINDS.get(kind)));
        } catch (IllegalArgumentException | ClassNotFoundException e) {
            out.add("does not parse: " + e.getMessage());
            return out;
        }
        out.addAll(StrictModel.unknownFields(parsed));
        constraints(parsed, doc, kind, out, Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    /**
     * The CRD constraints of every model object below {@code node}; {@code raw} is the same part of the parsed YAML,
     * which tells a missing property from a default (a primitive {@code port} reads 0 either way).
     */
    private static void constraints(Object node, Object raw, String path, List<String> out, Set<Object> seen) {
        if (node == null || !seen.add(node)) {
            return;
        }
        if (node instanceof Collection<?> c) {
            List<?> rawItems = raw instanceof List<?> l ? l : List.of();
            int i = 0;
            for (Object o : c) {
                constraints(o, i < rawItems.size() ? rawItems.get(i) : null, path + "[" + i + "]", out, seen);
                i++;
            }
        } else if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> constraints(v, raw instanceof Map<?, ?> r ? r.get(k) : null, path + "." + k, out, seen));
        } else if (node.getClass().getName().startsWith("io.strimzi.api.") && !node.getClass().isEnum()) {
            Map<?, ?> rawMap = raw instanceof Map<?, ?> r ? r : Map.of();
            for (Method getter : node.getClass().getMethods()) {
                String name = property(getter);
                if (name == null || name.equals("additionalProperties")) {
                    continue;
                }
                JsonProperty json = annotation(node.getClass(), getter, name, JsonProperty.class);
                String jsonName = json != null && !json.value().isEmpty() ? json.value() : name;
                Object value = invoke(getter, node);
                checkProperty(node.getClass(), getter, name, value, rawMap.containsKey(jsonName), path + "." + jsonName, out);
                constraints(value, rawMap.get(jsonName), path + "." + jsonName, out, seen);
            }
        }
    }

    private static void checkProperty(Class<?> owner, Method getter, String name, Object value, boolean given,
                                      String path, List<String> out) {
        JsonProperty json = annotation(owner, getter, name, JsonProperty.class);
        boolean required = json != null && json.required()
                || inV1(attribute(annotation(owner, getter, name, ANNOTATIONS + "RequiredInVersions"), "value"));
        if (required && (value == null || !given)) {
            out.add(path + ": required");
        }
        String present = attribute(annotation(owner, getter, name, ANNOTATIONS + "PresentInVersions"), "value");
        if (present != null && !inV1(present) && given) {
            out.add(path + ": not in " + API_VERSION + " (present in " + present + ")");
        }
        if (!given) {
            return; // defaults are the model's own, not this document's
        }
        Annotation pattern = annotation(owner, getter, name, ANNOTATIONS + "Pattern");
        if (pattern != null && value instanceof String s && appliesToV1(pattern)
                && !Pattern.compile(attribute(pattern, "value")).matcher(s).find()) {
            out.add(path + ": '" + s + "' does not match " + attribute(pattern, "value"));
        }
        Annotation min = annotation(owner, getter, name, ANNOTATIONS + "Minimum");
        if (min != null && value instanceof Number n && appliesToV1(min) && n.longValue() < (int) attributeValue(min, "value")) {
            out.add(path + ": " + n + " < minimum " + attributeValue(min, "value"));
        }
        Annotation max = annotation(owner, getter, name, ANNOTATIONS + "Maximum");
        if (max != null && value instanceof Number n && appliesToV1(max) && n.longValue() > (int) attributeValue(max, "value")) {
            out.add(path + ": " + n + " > maximum " + attributeValue(max, "value"));
        }
        Annotation minItems = annotation(owner, getter, name, ANNOTATIONS + "MinimumItems");
        if (minItems != null && value instanceof Collection<?> c && c.size() < (int) attributeValue(minItems, "value")) {
            out.add(path + ": " + c.size() + " items < minimum " + attributeValue(minItems, "value"));
        }
    }

    /** The bean property a getter reads ({@code getX}, or {@code isX} for a boolean), or null for any other method. */
    private static String property(Method m) {
        if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) {
            return null;
        }
        String n = m.getName();
        int prefix = n.startsWith("get") ? 3
                : n.startsWith("is") && (m.getReturnType() == boolean.class || m.getReturnType() == Boolean.class) ? 2 : 0;
        return prefix == 0 || n.length() == prefix ? null
                : Character.toLowerCase(n.charAt(prefix)) + n.substring(prefix + 1);
    }

    /** An annotation on the getter or on the field of the same name (Strimzi puts them on either). */
    private static <A extends Annotation> A annotation(Class<?> owner, Method getter, String name, Class<A> type) {
        A onGetter = getter.getAnnotation(type);
        if (onGetter != null) {
            return onGetter;
        }
        for (Class<?> c = owner; c != null && c != Object.class; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                return f.getAnnotation(type);
            } catch (NoSuchFieldException e) {
                // not declared here: try the superclass
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static Annotation annotation(Class<?> owner, Method getter, String name, String type) {
        try {
            return annotation(owner, getter, name, (Class<? extends Annotation>) Class.forName(type));
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("io.strimzi:crd-annotations is not on the class path: " + type, e);
        }
    }

    private static boolean appliesToV1(Annotation a) {
        String versions = attribute(a, "apiVersions");
        return versions == null || versions.isEmpty() || versions.equals("all") || inV1(versions);
    }

    /** Strimzi's version ranges: "v1", "v1beta2+", "v1alpha1-v1beta2", comma-separated ("all" is handled above). */
    static boolean inV1(String versions) {
        if (versions == null) {
            return false;
        }
        int v1 = VERSIONS.indexOf("v1");
        for (String part : versions.split(",")) {
            String p = part.strip();
            if (p.endsWith("+") && VERSIONS.indexOf(p.substring(0, p.length() - 1)) <= v1
                    && VERSIONS.contains(p.substring(0, p.length() - 1))) {
                return true;
            }
            String[] range = p.split("-");
            if (range.length == 2 && VERSIONS.indexOf(range[0]) <= v1 && VERSIONS.indexOf(range[1]) >= v1) {
                return true;
            }
            if (p.equals("v1")) {
                return true;
            }
        }
        return false;
    }

    private static String attribute(Annotation a, String name) {
        Object v = attributeValue(a, name);
        return v == null ? null : v.toString();
    }

    private static Object attributeValue(Annotation a, String name) {
        if (a == null) {
            return null;
        }
        try {
            return a.annotationType().getMethod(name).invoke(a);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("annotation " + a + " has no " + name, e);
        }
    }

    private static Object invoke(Method getter, Object node) {
        try {
            return getter.invoke(node);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + getter, e);
        }
    }
}

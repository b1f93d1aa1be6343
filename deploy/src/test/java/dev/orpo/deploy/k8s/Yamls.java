package dev.orpo.deploy.k8s;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Multi-document YAML as plain mutable maps and lists, plus the small tree helpers the renderer needs. */
final class Yamls {
    static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory());

    private Yamls() {
    }

    /** Every non-empty document of a file (comment-only documents are skipped), in file order. */
    static List<Object> readAll(Path file) {
        try (JsonParser parser = MAPPER.getFactory().createParser(file.toFile())) {
            MappingIterator<Object> it = MAPPER.readValues(parser, Object.class);
            List<Object> docs = new ArrayList<>();
            while (it.hasNextValue()) {
                Object doc = it.nextValue();
                if (doc != null) {
                    docs.add(doc);
                }
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse YAML " + file, e);
        }
    }

    /** Parses YAML text (an inline patch) into one document. */
    static Object read(String text, String where) {
        try {
            return MAPPER.readValue(text, Object.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse YAML in " + where, e);
        }
    }

    /** A deep copy made of LinkedHashMap / ArrayList / immutable scalars. */
    @SuppressWarnings("unchecked")
    static <T> T deepCopy(T value) {
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, v) -> copy.put((String) k, deepCopy(v)));
            return (T) copy;
        }
        if (value instanceof List<?> l) {
            List<Object> copy = new ArrayList<>();
            l.forEach(v -> copy.add(deepCopy(v)));
            return (T) copy;
        }
        return value;
    }

    /** Equality that treats 1 and 1L (and other integral widths) alike, as YAML does. */
    static boolean sameValue(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return x.toString().equals(y.toString());
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            return x.keySet().equals(y.keySet()) && x.keySet().stream().allMatch(k -> sameValue(x.get(k), y.get(k)));
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!sameValue(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return Objects.equals(a, b);
    }

    /** The map at {@code path} below {@code root}, created (empty) where missing. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> mapAt(Map<String, Object> root, String... path) {
        Map<String, Object> current = root;
        for (String key : path) {
            current = (Map<String, Object>) current.computeIfAbsent(key, k -> new LinkedHashMap<String, Object>());
        }
        return current;
    }

    /** The value at {@code path} below {@code root}, or null where any step is missing. */
    static Object at(Object root, String... path) {
        Object current = root;
        for (String key : path) {
            if (!(current instanceof Map<?, ?> m)) {
                return null;
            }
            current = m.get(key);
        }
        return current;
    }
}

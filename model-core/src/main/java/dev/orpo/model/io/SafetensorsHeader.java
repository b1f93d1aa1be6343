package dev.orpo.model.io;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and validates a safetensors JSON header: every entry has a known dtype, a non-negative shape and
 * {@code data_offsets} inside the data area whose length is {@code numel × dtype size}; no two tensors overlap.
 */
final class SafetensorsHeader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsHeader() {
    }

    /** Tensors by name in data-offset order; {@code __metadata__} goes into {@code metadata}. */
    static Map<String, TensorInfo> parse(Path file, byte[] header, long dataSize,
                                                       Map<String, String> metadata) {
        JsonNode root;
        try {
            root = JSON.readTree(new String(header, StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            throw SafetensorsFile.bad(file, "header is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw SafetensorsFile.bad(file, "header is not a JSON object");
        }
        List<TensorInfo> infos = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                try {
                    metadata.putAll(JSON.convertValue(e.getValue(), new TypeReference<Map<String, String>>() { }));
                } catch (IllegalArgumentException ex) {
                    throw SafetensorsFile.bad(file, "__metadata__ must map strings to strings: " + e.getValue());
                }
                continue;
            }
            infos.add(parseEntry(file, e.getKey(), e.getValue(), dataSize));
        }
        infos.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        Map<String, TensorInfo> byName = new LinkedHashMap<>();
        TensorInfo previous = null;
        for (TensorInfo t : infos) {
            if (previous != null && t.begin() < previous.end()) {
                throw SafetensorsFile.bad(file, "tensor '" + t.name() + "' [" + t.begin() + ", " + t.end() + ") overlaps tensor '"
                        + previous.name() + "' [" + previous.begin() + ", " + previous.end() + ")");
            }
            byName.put(t.name(), t);
            if (t.end() > t.begin()) {
                previous = t;
            }
        }
        return Collections.unmodifiableMap(byName);
    }

    private static TensorInfo parseEntry(Path file, String name, JsonNode e, long dataSize) {
        String where = "tensor '" + name + "'";
        JsonNode offsets = e.get("data_offsets");
        JsonNode shapeNode = e.get("shape");
        if (!e.hasNonNull("dtype") || shapeNode == null || !shapeNode.isArray() || offsets == null
                || !offsets.isArray() || offsets.size() != 2) {
            throw SafetensorsFile.bad(file, where + " needs dtype, shape and data_offsets [begin, end]: " + e);
        }
        DType dtype;
        try {
            dtype = DType.fromSafetensors(e.get("dtype").asText());
        } catch (IllegalArgumentException ex) {
            throw SafetensorsFile.bad(file, where + ": " + ex.getMessage());
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || d.asLong() < 0) {
                throw SafetensorsFile.bad(file, where + " has invalid shape " + shapeNode);
            }
            shape[i] = d.asLong();
        }
        if (!offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
            throw SafetensorsFile.bad(file, where + " has invalid data_offsets " + offsets);
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin || end > dataSize) {
            throw SafetensorsFile.bad(file, where + " data_offsets [" + begin + ", " + end + ") lie outside the data area of "
                    + dataSize + " bytes");
        }
        long expected;
        try {
            expected = Math.multiplyExact(TensorInfo.numel(shape), dtype.size());
        } catch (ArithmeticException ex) {
            throw SafetensorsFile.bad(file, where + " shape " + shapeNode + " overflows");
        }
        if (end - begin != expected) {
            throw SafetensorsFile.bad(file, where + " has " + (end - begin) + " bytes but shape " + shapeNode + " x " + dtype
                    + " needs " + expected);
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }
}

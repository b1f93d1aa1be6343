package dev.orpo.model.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
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
 * Parses and validates a safetensors JSON header as the reference implementation does: every entry has a known dtype,
 * a shape of non-negative integers and integer {@code data_offsets} whose length is {@code numel × dtype size}; no name
 * appears twice; the tensors, in offset order, tile the data area exactly (no overlap, no gap, no trailing bytes), so
 * a header cannot point two names at the same bytes or hide bytes that no tensor owns.
 */
final class SafetensorsHeader {
    /** Jackson keeps the last of two equal keys silently; a header that names a tensor twice is refused instead. */
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

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
        long covered = 0;  // the data area is tiled in offset order: each tensor starts where the one before ended
        for (TensorInfo t : infos) {
            if (t.begin() < covered) {
                throw SafetensorsFile.bad(file, "tensor '" + t.name() + "' [" + t.begin() + ", " + t.end()
                        + ") overlaps tensor '" + previous.name() + "' [" + previous.begin() + ", " + previous.end()
                        + ")");
            }
            if (t.begin() > covered) {
                throw SafetensorsFile.bad(file, "tensor '" + t.name() + "' starts at " + t.begin() + " but the tensors"
                        + " before it end at " + covered + ": bytes [" + covered + ", " + t.begin()
                        + ") belong to no tensor");
            }
            byName.put(t.name(), t);
            if (t.end() > t.begin()) {
                previous = t;
                covered = t.end();
            }
        }
        if (covered != dataSize) {
            throw SafetensorsFile.bad(file, "the tensors cover " + covered + " of the " + dataSize
                    + " data bytes: bytes [" + covered + ", " + dataSize + ") belong to no tensor");
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
            if (!isLong(d) || d.asLong() < 0) {
                throw SafetensorsFile.bad(file, where + " has invalid shape " + shapeNode);
            }
            shape[i] = d.asLong();
        }
        if (!isLong(offsets.get(0)) || !isLong(offsets.get(1))) {
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

    /** An integer JSON number that fits a long: {@code 8.5} or {@code "8"} are not offsets. */
    private static boolean isLong(JsonNode n) {
        return n.isIntegralNumber() && n.canConvertToLong();
    }
}

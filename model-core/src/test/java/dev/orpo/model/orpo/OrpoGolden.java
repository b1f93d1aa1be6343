package dev.orpo.model.orpo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Reads the float64 PyTorch golden values written by src/test/python/make_orpo_golden.py. */
final class OrpoGolden {

    private OrpoGolden() {
    }

    static JsonNode load(String name) {
        try (InputStream in = OrpoGolden.class.getResourceAsStream("/golden/orpo/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing golden file /golden/orpo/" + name);
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<PreferencePair> pairs(JsonNode root) {
        List<PreferencePair> pairs = new ArrayList<>();
        for (JsonNode p : root.get("pairs")) {
            pairs.add(new PreferencePair(ints(p.get("chosen")), p.get("chosen_prompt").asInt(), ints(p.get("rejected")),
                    p.get("rejected_prompt").asInt()));
        }
        return pairs;
    }

    static JsonNode testCase(JsonNode root, String name) {
        for (JsonNode c : root.get("cases")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no golden case " + name);
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }
}

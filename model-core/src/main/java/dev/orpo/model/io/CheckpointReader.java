package dev.orpo.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A Hugging Face checkpoint as a {@link TensorSource}: {@code model.safetensors}, a sharded checkpoint described by
 * {@code model.safetensors.index.json} (its {@code weight_map} names the shard of each tensor), or one named
 * {@code .safetensors} file. Shards are memory-mapped; tensors are read one at a time.
 */
public final class CheckpointReader implements TensorSource {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path location;
    private final List<SafetensorsFile> shards;
    private final Map<String, SafetensorsFile> byName;

    private CheckpointReader(Path location, List<SafetensorsFile> shards, Map<String, SafetensorsFile> byName) {
        this.location = location;
        this.shards = shards;
        this.byName = byName;
    }

    /** Opens a model directory (single file or index + shards) or a single {@code .safetensors} file. */
    public static CheckpointReader open(Path modelDirOrFile) {
        if (Files.isRegularFile(modelDirOrFile)) {
            return single(modelDirOrFile, modelDirOrFile);
        }
        if (!Files.isDirectory(modelDirOrFile)) {
            throw new IllegalArgumentException("checkpoint " + modelDirOrFile + " does not exist");
        }
        Path index = modelDirOrFile.resolve(INDEX_FILE);
        if (Files.isRegularFile(index)) {
            return sharded(modelDirOrFile, index);
        }
        Path single = modelDirOrFile.resolve(SINGLE_FILE);
        if (Files.isRegularFile(single)) {
            return single(modelDirOrFile, single);
        }
        throw new IllegalArgumentException("no " + SINGLE_FILE + " or " + INDEX_FILE + " in " + modelDirOrFile);
    }

    private static CheckpointReader single(Path location, Path file) {
        SafetensorsFile f = SafetensorsFile.open(file);
        Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
        f.names().forEach(n -> byName.put(n, f));
        return new CheckpointReader(location, List.of(f), Collections.unmodifiableMap(byName));
    }

    private static CheckpointReader sharded(Path dir, Path index) {
        JsonNode weightMap;
        try {
            weightMap = JSON.readTree(index.toFile()).get("weight_map");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + index + ": " + e.getMessage(), e);
        }
        if (weightMap == null || !weightMap.isObject() || weightMap.isEmpty()) {
            throw new IllegalArgumentException(index + " has no weight_map object");
        }
        Map<String, List<String>> namesByFile = new TreeMap<>();  // shard names sort in shard order
        for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String file = e.getValue().asText();
            if (file.contains("/") || file.contains("\\") || file.equals("..")) {
                throw new IllegalArgumentException(index + ": tensor '" + e.getKey() + "' maps to a path outside the"
                        + " checkpoint: " + file);
            }
            namesByFile.computeIfAbsent(file, f -> new ArrayList<>()).add(e.getKey());
        }
        List<SafetensorsFile> shards = new ArrayList<>();
        Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, List<String>> e : namesByFile.entrySet()) {
                Path shardPath = dir.resolve(e.getKey());
                if (!Files.isRegularFile(shardPath)) {
                    throw new IllegalArgumentException(index + " names shard " + e.getKey() + " (tensor '"
                            + e.getValue().get(0) + "') but " + shardPath + " does not exist");
                }
                SafetensorsFile shard = SafetensorsFile.open(shardPath);
                shards.add(shard);
                Set<String> listed = new LinkedHashSet<>(e.getValue());
                for (String name : listed) {
                    if (!shard.contains(name)) {
                        throw new IllegalArgumentException(index + " puts tensor '" + name + "' in " + e.getKey()
                                + " but that shard does not contain it");
                    }
                }
                for (String name : shard.names()) {  // keep the shard's data order
                    if (listed.contains(name)) {
                        byName.put(name, shard);
                    }
                }
            }
        } catch (RuntimeException ex) {
            shards.forEach(SafetensorsFile::close);
            throw ex;
        }
        return new CheckpointReader(dir, List.copyOf(shards), Collections.unmodifiableMap(byName));
    }

    /** All tensor names, shard by shard, in data order within each shard. */
    @Override
    public Set<String> names() {
        return byName.keySet();
    }

    /** The open shards, in shard order. */
    public List<SafetensorsFile> shards() {
        return shards;
    }

    /** Names stored in {@code shard} (one of {@link #shards()}), in data order. */
    public List<String> namesIn(SafetensorsFile shard) {
        List<String> out = new ArrayList<>();
        byName.forEach((n, f) -> {
            if (f == shard) {
                out.add(n);
            }
        });
        return out;
    }

    public TensorInfo info(String name) {
        return shardOf(name).info(name);
    }

    @Override
    public long[] shape(String name) {
        return info(name).shape();
    }

    public DType dtype(String name) {
        return info(name).dtype();
    }

    @Override
    public float[] readFloats(String name) {
        return shardOf(name).readFloats(name);
    }

    public byte[] readRaw(String name) {
        return shardOf(name).readRaw(name);
    }

    /** The most common floating dtype among the tensors (the checkpoint's storage dtype), or null if none. */
    public DType floatingDtype() {
        Map<DType, Integer> counts = new LinkedHashMap<>();
        for (String n : byName.keySet()) {
            DType d = dtype(n);
            if (d.isFloating()) {
                counts.merge(d, 1, Integer::sum);
            }
        }
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
    }

    private SafetensorsFile shardOf(String name) {
        SafetensorsFile f = byName.get(name);
        if (f == null) {
            throw new IllegalArgumentException("tensor '" + name + "' not found in checkpoint " + location);
        }
        return f;
    }

    @Override
    public void close() {
        shards.forEach(SafetensorsFile::close);
    }
}

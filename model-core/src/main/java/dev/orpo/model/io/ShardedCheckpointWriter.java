package dev.orpo.model.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a checkpoint the way transformers' {@code save_pretrained} does: tensors are packed in order into shards of
 * at most {@code maxShardBytes} (a tensor larger than that gets a shard of its own), named
 * {@code model-00001-of-0000N.safetensors}, plus {@code model.safetensors.index.json}; a checkpoint that fits in one
 * shard is a single {@code model.safetensors} without an index. Tensors are streamed one at a time, in spec order.
 */
public final class ShardedCheckpointWriter implements AutoCloseable {
    /** transformers' default {@code max_shard_size} ("5GB", decimal units as huggingface_hub parses them). */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGT]I?B|B)?");

    private final Path dir;
    private final List<List<TensorSpec>> plan;
    private final List<Path> files = new ArrayList<>();
    private final Map<String, String> weightMap = new TreeMap<>();
    private int shard = -1;
    private int inShard;
    private SafetensorsWriter current;

    private ShardedCheckpointWriter(Path dir, List<List<TensorSpec>> plan) {
        this.dir = dir;
        this.plan = plan;
        for (int i = 0; i < plan.size(); i++) {
            files.add(dir.resolve(shardName(i, plan.size())));
            for (TensorSpec s : plan.get(i)) {
                weightMap.put(s.name(), files.get(i).getFileName().toString());
            }
        }
    }

    /** Plans the shards of {@code specs} in {@code dir} (created if missing); tensors must be written in spec order. */
    public static ShardedCheckpointWriter open(Path dir, List<TensorSpec> specs, long maxShardBytes) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        return new ShardedCheckpointWriter(dir, plan(specs, maxShardBytes));
    }

    /** Greedy packing in order, as huggingface_hub's {@code split_state_dict_into_shards}. */
    public static List<List<TensorSpec>> plan(List<TensorSpec> specs, long maxShardBytes) {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be positive, got " + maxShardBytes);
        }
        List<List<TensorSpec>> shards = new ArrayList<>();
        List<TensorSpec> open = new ArrayList<>();
        long size = 0;
        for (TensorSpec s : specs) {
            if (!open.isEmpty() && size + s.byteLength() > maxShardBytes) {
                shards.add(open);
                open = new ArrayList<>();
                size = 0;
            }
            open.add(s);
            size += s.byteLength();
        }
        if (!open.isEmpty() || shards.isEmpty()) {
            shards.add(open);
        }
        return shards;
    }

    static String shardName(int index, int count) {
        return count == 1 ? CheckpointReader.SINGLE_FILE
                : String.format(Locale.ROOT, "model-%05d-of-%05d.safetensors", index + 1, count);
    }

    /**
     * Parses a size as transformers' {@code max_shard_size}: {@code 5GB} = 5·10⁹, {@code 2GiB} = 2·2³⁰, a plain
     * number is bytes.
     */
    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid size '" + text + "' (examples: 5GB, 500MB, 2GiB, 1000000)");
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        double mult = switch (unit) {
            case "KB" -> 1e3; case "MB" -> 1e6; case "GB" -> 1e9; case "TB" -> 1e12;
            case "KIB" -> 1L << 10; case "MIB" -> 1L << 20; case "GIB" -> 1L << 30; case "TIB" -> 1L << 40;
            default -> 1;
        };
        long bytes = (long) (n * mult);
        if (bytes <= 0) {
            throw new IllegalArgumentException("size '" + text + "' must be positive");
        }
        return bytes;
    }

    /** Shard files this checkpoint will consist of. */
    public List<Path> files() {
        return List.copyOf(files);
    }

    public void write(String name, float[] data) {
        advance(name).write(name, data);
        inShard++;
    }

    public void writeRaw(String name, byte[] data) {
        advance(name).writeRaw(name, data);
        inShard++;
    }

    private SafetensorsWriter advance(String name) {
        while (current == null || inShard == plan.get(shard).size()) {
            if (current != null) {
                current.close();
            }
            if (shard + 1 >= plan.size()) {
                throw new IllegalArgumentException("tensor '" + name + "' is not part of the planned checkpoint in "
                        + dir + " (all tensors already written)");
            }
            shard++;
            inShard = 0;
            current = SafetensorsWriter.open(files.get(shard), plan.get(shard), SafetensorsWriter.PT_METADATA);
        }
        return current;
    }

    /**
     * Closes the last shard and writes the index (when sharded). IllegalStateException naming the first missing
     * tensor if not everything was written.
     */
    public List<Path> finish() {
        if (current == null && !plan.get(0).isEmpty()) {
            throw new IllegalStateException("no tensor was written to " + dir);
        }
        if (current == null) {  // empty checkpoint: still a valid file
            current = SafetensorsWriter.open(files.get(0), List.of(), SafetensorsWriter.PT_METADATA);
            shard = 0;
        }
        current.close();
        current = null;
        if (shard != plan.size() - 1) {
            throw new IllegalStateException(dir + " is incomplete: tensor '" + plan.get(shard + 1).get(0).name()
                    + "' was never written");
        }
        if (plan.size() > 1) {
            writeIndex();
        }
        return files();
    }

    private void writeIndex() {
        long total = plan.stream().flatMap(List::stream).mapToLong(TensorSpec::byteLength).sum();
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.putObject("metadata").put("total_size", total);
        ObjectNode wm = root.putObject("weight_map");
        weightMap.forEach(wm::put);
        try {
            json.writeValue(dir.resolve(CheckpointReader.INDEX_FILE).toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write index in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Releases the open shard without completing the checkpoint (use {@link #finish()} to complete it). */
    @Override
    public void close() {
        if (current != null) {
            SafetensorsWriter w = current;
            current = null;
            try {
                w.close();
            } catch (IllegalStateException incomplete) {
                // abandoned mid-way: the caller is handling an earlier failure
            }
        }
    }
}

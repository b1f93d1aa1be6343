package dev.orpo.model.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Streams one {@code .safetensors} file: the header (with offsets computed from the declared specs) is written
 * first, then each tensor's data in declaration order, so only one tensor needs to be in memory at a time. The header
 * is padded with spaces to a multiple of 8 bytes, as the Hugging Face implementation does.
 */
public final class SafetensorsWriter implements AutoCloseable {
    /** The metadata transformers expects on PyTorch checkpoints. */
    public static final Map<String, String> PT_METADATA = Map.of("format", "pt");
    private static final int CHUNK = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final FileChannel channel;
    private final List<TensorSpec> specs;
    private final ByteBuffer buffer = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
    private int next;

    private SafetensorsWriter(Path path, FileChannel channel, List<TensorSpec> specs) {
        this.path = path;
        this.channel = channel;
        this.specs = specs;
    }

    /** Creates (or truncates) {@code file} and writes its header; tensors must then be written in {@code specs} order. */
    public static SafetensorsWriter open(Path file, List<TensorSpec> specs, Map<String, String> metadata) {
        Set<String> seen = new HashSet<>();
        for (TensorSpec s : specs) {
            if (!seen.add(s.name()) || s.name().equals("__metadata__")) {
                throw new IllegalArgumentException("duplicate or reserved tensor name '" + s.name() + "' for " + file);
            }
        }
        byte[] header = header(specs, metadata);
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            ByteBuffer head = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(header.length).put(header).flip();
            while (head.hasRemaining()) {
                ch.write(head);
            }
            return new SafetensorsWriter(file, ch, List.copyOf(specs));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The space-padded JSON header (without the 8-byte length) for {@code specs}, data laid out in order. */
    static byte[] header(List<TensorSpec> specs, Map<String, String> metadata) {
        ObjectNode root = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (TensorSpec s : specs) {
            ObjectNode e = root.putObject(s.name());
            e.put("dtype", s.dtype().name());
            ArrayNode shape = e.putArray("shape");
            for (long d : s.shape()) {
                shape.add(d);
            }
            long end = offset + s.byteLength();
            e.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    /** Writes the next tensor from fp32 values, narrowing to its declared dtype. */
    public void write(String name, float[] data) {
        TensorSpec s = expect(name, data.length);
        if (!s.dtype().isFloating()) {
            throw new IllegalArgumentException("tensor '" + name + "' is declared " + s.dtype()
                    + "; write it with writeRaw");
        }
        int elem = s.dtype().size();
        int perChunk = CHUNK / elem;
        for (int done = 0; done < data.length; ) {
            int n = Math.min(perChunk, data.length - done);
            buffer.clear();
            DTypeCodec.encode(s.dtype(), data, done, n, buffer);
            buffer.limit(n * elem);
            drain(name);
            done += n;
        }
        next++;
    }

    /** Writes the next tensor from its raw little-endian bytes (any dtype). */
    public void writeRaw(String name, byte[] data) {
        TensorSpec s = specs.size() > next ? specs.get(next) : null;
        if (s == null || !s.name().equals(name) || s.byteLength() != data.length) {
            throw new IllegalArgumentException("expected " + (s == null ? "no more tensors" : s + " (" + s.byteLength()
                    + " bytes)") + " in " + path + " but got '" + name + "' with " + data.length + " bytes");
        }
        for (int done = 0; done < data.length; done += CHUNK) {
            buffer.clear();
            buffer.put(data, done, Math.min(CHUNK, data.length - done)).flip();
            drain(name);
        }
        next++;
    }

    private TensorSpec expect(String name, long numel) {
        TensorSpec s = specs.size() > next ? specs.get(next) : null;
        if (s == null || !s.name().equals(name) || s.numel() != numel) {
            throw new IllegalArgumentException("expected " + (s == null ? "no more tensors" : s.toString()) + " in "
                    + path + " but got '" + name + "' with " + numel + " elements");
        }
        return s;
    }

    private void drain(String name) {
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write tensor '" + name + "' to " + path + ": " + e.getMessage(), e);
        }
    }

    /** True once every declared tensor has been written. */
    public boolean isComplete() {
        return next == specs.size();
    }

    public Path path() {
        return path;
    }

    /** Closes the file; IllegalStateException naming the first unwritten tensor if the file is incomplete. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + path + ": " + e.getMessage(), e);
        }
        if (!isComplete()) {
            throw new IllegalStateException(path + " is incomplete: tensor '" + specs.get(next).name()
                    + "' was never written");
        }
    }
}

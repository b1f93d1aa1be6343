package dev.orpo.model.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A memory-mapped, validated {@code .safetensors} file: 8-byte little-endian header length, a JSON header
 * ({@code name -> {dtype, shape, data_offsets}} plus optional {@code __metadata__}), then raw little-endian data.
 * The file is mapped in windows of at most 1 GiB, so files (and tensors) above 2 GB work. Tensors come back in
 * data-offset order from {@link #names()}.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The safetensors reference implementation refuses headers above 100 MB; so do we. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    /** Mapping window: a MappedByteBuffer holds at most 2 GB, so larger files get several. */
    static final long DEFAULT_WINDOW = 1L << 30;
    private static final int CHUNK = 1 << 20;

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;
    private final long window;
    private MappedByteBuffer[] windows;

    private SafetensorsFile(Path path, FileChannel channel, long dataStart, Map<String, TensorInfo> tensors,
                            Map<String, String> metadata, long window, MappedByteBuffer[] windows) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
        this.window = window;
        this.windows = windows;
    }

    /** Opens and validates {@code file}; IllegalArgumentException naming the file (and tensor) if it is malformed. */
    public static SafetensorsFile open(Path file) {
        return open(file, DEFAULT_WINDOW);
    }

    /** As {@link #open(Path)} with a given mapping window size (small windows exercise the crossing logic). */
    static SafetensorsFile open(Path file, long window) {
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
            long size = ch.size();
            if (size < 8) {
                throw bad(file, "file is " + size + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long headerLen = len.getLong(0);
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
                throw bad(file, "header length " + headerLen + " is not within 2.." + Math.min(MAX_HEADER_BYTES,
                        size - 8) + " (file size " + size + ")");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(ch, header, 8);
            long dataStart = 8 + headerLen;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors = SafetensorsHeader.parse(file, header.array(), size - dataStart,
                    metadata);
            MappedByteBuffer[] windows = map(ch, dataStart, size - dataStart, window);
            return new SafetensorsFile(file, ch, dataStart, tensors, Collections.unmodifiableMap(metadata), window,
                    windows);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new UncheckedIOException("cannot read safetensors file " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static MappedByteBuffer[] map(FileChannel ch, long dataStart, long dataSize, long window)
            throws IOException {
        int n = (int) ((dataSize + window - 1) / window);
        MappedByteBuffer[] w = new MappedByteBuffer[n];
        for (int i = 0; i < n; i++) {
            long off = i * window;
            w[i] = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + off, Math.min(window, dataSize - off));
        }
        return w;
    }

    public Path path() {
        return path;
    }

    /** Tensor names in data-offset order. */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** Header entry of {@code name}; IllegalArgumentException naming it and the file if absent. */
    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor '" + name + "' in " + path);
        }
        return t;
    }

    /** The {@code __metadata__} map (e.g. {@code format=pt}); empty when absent. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Byte offset of the data area in the file (8 + header length). */
    public long dataStart() {
        return dataStart;
    }

    /** The tensor widened to fp32 (F32, F16, BF16, F64); IllegalArgumentException for integer/bool tensors. */
    public float[] readFloats(String name) {
        TensorInfo t = info(name);
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException("tensor '" + name + "' in " + path + " is " + t.dtype()
                    + ", not a floating type; use readRaw");
        }
        if (t.numel() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + t.numel() + " elements, too many for"
                    + " one Java array");
        }
        float[] out = new float[(int) t.numel()];
        int elem = t.dtype().size();
        int perChunk = CHUNK / elem;
        byte[] buf = new byte[perChunk * elem];
        ByteBuffer bb = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        for (int done = 0; done < out.length; ) {
            int n = Math.min(perChunk, out.length - done);
            copy(t.begin() + (long) done * elem, buf, n * elem);
            DTypeCodec.decode(t.dtype(), bb, out, done, n);
            done += n;
        }
        return out;
    }

    /** The tensor's raw little-endian bytes (any dtype). */
    public byte[] readRaw(String name) {
        TensorInfo t = info(name);
        if (t.byteLength() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor '" + name + "' is " + t.byteLength() + " bytes, too large for"
                    + " one byte[]");
        }
        byte[] out = new byte[(int) t.byteLength()];
        copy(t.begin(), out, out.length);
        return out;
    }

    /** Copies {@code len} bytes at data-area offset {@code offset} into {@code dst}, crossing windows if needed. */
    private void copy(long offset, byte[] dst, int len) {
        MappedByteBuffer[] w = windows;
        if (w == null) {
            throw new IllegalStateException("safetensors file " + path + " is closed");
        }
        int at = 0;
        while (at < len) {
            long pos = offset + at;
            MappedByteBuffer win = w[(int) (pos / window)];
            int inWin = (int) (pos % window);
            int n = Math.min(len - at, win.limit() - inWin);
            win.get(inWin, dst, at, n);
            at += n;
        }
    }

    @Override
    public void close() {
        windows = null;  // mappings are released by the GC; Java 17 has no public unmap
        closeQuietly(channel);
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long pos) throws IOException {
        while (dst.hasRemaining()) {
            if (ch.read(dst, pos + dst.position()) < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing useful to do on a read-only channel
            }
        }
    }

    static IllegalArgumentException bad(Path file, String why) {
        return new IllegalArgumentException("invalid safetensors file " + file + ": " + why);
    }
}

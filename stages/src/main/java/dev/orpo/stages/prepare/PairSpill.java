package dev.orpo.stages.prepare;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.BitSet;

/**
 * Tokenized pairs parked on disk: each pair is written once, as its finished shard line, to a temp file in whatever
 * order it was tokenized (input order), and its offset is recorded by shuffled position; the shards are then written
 * by reading the lines back in shuffled order. The heap holds a few numbers per pair, not the token ids.
 */
final class PairSpill implements Closeable {

    private final Path file;
    private final long[] offset;
    private final int[] length;
    private final int[] chosenTokens;
    private final int[] rejectedTokens;
    private final BitSet truncated = new BitSet();
    private OutputStream out;
    private long written;
    private FileChannel channel;
    private int[] keptPositions;

    /**
     * @param dir       where the temp file goes (it grows to about the size of the shards)
     * @param positions shuffled positions 0..positions-1 that may be {@link #put}
     */
    PairSpill(Path dir, int positions) throws IOException {
        file = Files.createTempFile(dir, ".orpo-prepare-", ".spill");
        out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        offset = new long[positions];
        Arrays.fill(offset, -1);
        length = new int[positions];
        chosenTokens = new int[positions];
        rejectedTokens = new int[positions];
    }

    /** Spills the pair at shuffled {@code position}; positions never put (rejected pairs) are skipped later. */
    void put(int position, PairShards.Entry e) throws IOException {
        if (offset[position] >= 0) {
            throw new IllegalStateException("position " + position + " spilled twice");
        }
        byte[] line = PairShards.line(e);
        out.write(line);
        offset[position] = written;
        length[position] = line.length;
        written += line.length;
        chosenTokens[position] = e.pair().chosenInputIds().length;
        rejectedTokens[position] = e.pair().rejectedInputIds().length;
        truncated.set(position, e.truncated());
    }

    /** Ends writing; returns how many pairs were put. */
    int finish() throws IOException {
        out.close();
        out = null;
        channel = FileChannel.open(file, StandardOpenOption.READ);
        keptPositions = new int[(int) Arrays.stream(offset).filter(o -> o >= 0).count()];
        int k = 0;
        for (int p = 0; p < offset.length; p++) {
            if (offset[p] >= 0) {
                keptPositions[k++] = p;
            }
        }
        return keptPositions.length;
    }

    /** The kept pairs {@code [from, to)} in shuffled order (rejected positions closed up). */
    ManifestWriter.SplitRows split(int from, int to) {
        return new ManifestWriter.SplitRows() {
            @Override
            public int size() {
                return to - from;
            }

            @Override
            public long chosenTokens() {
                return sum(chosenTokens);
            }

            @Override
            public long rejectedTokens() {
                return sum(rejectedTokens);
            }

            @Override
            public long truncated() {
                long n = 0;
                for (int k = from; k < to; k++) {
                    n += truncated.get(keptPositions[k]) ? 1 : 0;
                }
                return n;
            }

            @Override
            public void writeLines(int first, int end, OutputStream sink) throws IOException {
                for (int k = from + first; k < from + end; k++) {
                    copyLine(keptPositions[k], sink);
                }
            }

            private long sum(int[] counts) {
                long n = 0;
                for (int k = from; k < to; k++) {
                    n += counts[keptPositions[k]];
                }
                return n;
            }
        };
    }

    private void copyLine(int position, OutputStream sink) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length[position]);
        long at = offset[position];
        while (buf.hasRemaining()) {
            int n = channel.read(buf, at + buf.position());
            if (n < 0) {
                throw new IOException(file + ": spill ends before position " + position + "'s line");
            }
        }
        sink.write(buf.array());
    }

    /** Deletes the temp file. */
    @Override
    public void close() throws IOException {
        try {
            if (out != null) {
                out.close();
            }
            if (channel != null) {
                channel.close();
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}

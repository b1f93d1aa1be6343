package dev.orpo.stages.prepare;

import java.util.Arrays;

/** A growable {@code long[]}: row numbers at 8 bytes each, where a {@code List<Long>} would take ~24. */
final class LongList {

    private long[] values = new long[1024];
    private int size;

    void add(long value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = value;
    }

    long get(int index) {
        if (index >= size) {
            throw new IndexOutOfBoundsException(index + " >= " + size);
        }
        return values[index];
    }

    int size() {
        return size;
    }
}

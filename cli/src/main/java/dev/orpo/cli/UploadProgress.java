package dev.orpo.cli;

import dev.orpo.stages.resolve.StoreManifest;
import dev.orpo.stages.resolve.StoreUpload;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What {@code orpo upload} shows on stderr: on a terminal one bar redrawn in place (bytes of all files, rate, current
 * file); otherwise plain lines (a container's log): one per file, and every 10 % of a large one.
 */
final class UploadProgress implements StoreUpload.Listener {
    /** Files above this size get hashing and progress lines of their own. */
    private static final long LARGE = 64L << 20;
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintWriter err;
    private final boolean bar;
    private long total;
    private long done;
    private long startNanos;
    private long lastDraw;
    private int lastTenth;

    UploadProgress(PrintWriter err, boolean bar) {
        this.err = err;
        this.bar = bar;
    }

    @Override
    public void hashing(Path file) {
        long size = size(file);
        if (bar) {
            draw("hashing " + file.getFileName() + " (" + bytes(size) + ")", true);
        } else if (size > LARGE) {
            line("hashing " + file.getFileName() + " (" + bytes(size) + ")");
        }
    }

    @Override
    public void starting(StoreManifest manifest, String prefixUri) {
        total = manifest.totalBytes();
        startNanos = System.nanoTime();
        if (bar) {
            err.print("\r\033[2K");
        }
        line("uploading " + manifest.files().size() + " file(s), " + bytes(total) + ", to " + prefixUri);
    }

    @Override
    public void skipped(StoreManifest.Entry file) {
        done += file.size();
        if (!bar) {
            line("skipped  " + file.path() + " (" + bytes(file.size()) + ", already stored with the same sha256)");
        }
    }

    @Override
    public void progress(StoreManifest.Entry file, long sent) {
        if (bar) {
            draw(file.path(), false, done + sent);
        } else if (file.size() > LARGE) {
            int tenth = (int) (10 * sent / Math.max(1, file.size()));
            if (tenth > lastTenth && tenth < 10) {
                lastTenth = tenth;
                line(String.format(Locale.ROOT, "         %s %d%%", file.path(), tenth * 10));
            }
        }
    }

    @Override
    public void uploaded(StoreManifest.Entry file) {
        done += file.size();
        lastTenth = 0;
        if (bar) {
            draw(file.path(), true, done);
        } else {
            line("uploaded " + file.path() + " (" + bytes(file.size()) + ")");
        }
    }

    /** Ends the bar's line. */
    void finish() {
        if (bar) {
            draw("done", true, done);
            err.println();
            err.flush();
        }
    }

    private void draw(String what, boolean force) {
        draw(what, force, done);
    }

    private void draw(String what, boolean force, long sent) {
        long now = System.nanoTime();
        if (!force && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        double fraction = total > 0 ? Math.min(1, (double) sent / total) : 0;
        int filled = (int) Math.round(fraction * WIDTH);
        double seconds = Math.max(1e-3, (now - startNanos) / 1e9);
        err.printf(Locale.ROOT, "\r\033[2K[%s%s] %3.0f%%  %s / %s  %s/s  %s", "#".repeat(filled),
                ".".repeat(WIDTH - filled), 100 * fraction, bytes(sent), bytes(total),
                startNanos == 0 ? "-" : bytes((long) (sent / seconds)), what);
        err.flush();
    }

    private void line(String text) {
        err.println(text);
        err.flush();
    }

    static String bytes(long n) {
        if (n < 1000) {
            return n + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = n;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            return 0;
        }
    }
}

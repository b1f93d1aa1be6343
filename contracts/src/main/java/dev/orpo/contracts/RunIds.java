package dev.orpo.contracts;

import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/** Run ids: sortable by time, safe as a Kafka key and an object-store path segment. */
public final class RunIds {
    private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9-]{2,62}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private RunIds() {
    }

    /** e.g. {@code run-20261128-051200-3f9a}. */
    public static String newRunId() {
        return "run-" + LocalDateTime.now(ZoneOffset.UTC).format(STAMP) + "-"
                + String.format("%04x", RANDOM.nextInt(0x10000));
    }

    public static boolean isValid(String runId) {
        return runId != null && VALID.matcher(runId).matches();
    }

    public static String requireValid(String runId) {
        if (!isValid(runId)) {
            throw new IllegalArgumentException("run id must match " + VALID.pattern() + ": " + runId);
        }
        return runId;
    }
}

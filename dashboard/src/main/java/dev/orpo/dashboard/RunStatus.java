package dev.orpo.dashboard;

import java.util.Locale;

/**
 * Where a run stands, in pipeline order. A run's status is the furthest stage any of its events reached (events of
 * different topics may arrive in any order), overridden by {@link #FAILED} and {@link #CANCELLED}.
 */
public enum RunStatus {
    REQUESTED, DATASET_PREPARED, TRAINING, TRAINED, MERGED, EVALUATED, CANCELLED, FAILED;

    /** The JSON/page spelling: lower case with dashes ({@code dataset-prepared}). */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The later of two stages of the happy path. */
    static RunStatus furthest(RunStatus a, RunStatus b) {
        return a == null || b.ordinal() > a.ordinal() ? b : a;
    }
}

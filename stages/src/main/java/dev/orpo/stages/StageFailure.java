package dev.orpo.stages;

import dev.orpo.contracts.request.FieldError;

import java.util.List;

/**
 * A stage cannot do its work because of its input (not a bug, not an outage): the services turn it into
 * {@code RunFailed(stage, reason, errors)}.
 */
public final class StageFailure extends RuntimeException {
    private final String stage;
    private final List<FieldError> errors;

    /**
     * @param stage  dataset | merge | ... as in {@code RunFailed.stage}
     * @param reason one line for people
     * @param errors the offending rows, fields or tensors
     */
    public StageFailure(String stage, String reason, List<FieldError> errors) {
        super(reason);
        this.stage = stage;
        this.errors = List.copyOf(errors);
    }

    public StageFailure(String stage, String reason, List<FieldError> errors, Throwable cause) {
        super(reason, cause);
        this.stage = stage;
        this.errors = List.copyOf(errors);
    }

    public String stage() {
        return stage;
    }

    public List<FieldError> errors() {
        return errors;
    }
}

package dev.orpo.contracts.request;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A request (or one of its sections, as a config built from it) that cannot be used, with every reason; an
 * {@link IllegalArgumentException}, as a config's constructor throws.
 */
public class InvalidRequestException extends IllegalArgumentException {
    private final List<FieldError> errors;

    public InvalidRequestException(List<FieldError> errors) {
        super(errors.stream().map(FieldError::toString).collect(Collectors.joining("; ")));
        this.errors = List.copyOf(errors);
    }

    /** Throws when {@code errors} is not empty. */
    public static void throwIfAny(List<FieldError> errors) {
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
    }

    public List<FieldError> errors() {
        return errors;
    }
}

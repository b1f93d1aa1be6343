package dev.orpo.stages.resolve;

/** A model or dataset could not be resolved; the message names the URI or path. */
public final class ArtifactException extends RuntimeException {
    public ArtifactException(String message) {
        super(message);
    }

    public ArtifactException(String message, Throwable cause) {
        super(message, cause);
    }
}

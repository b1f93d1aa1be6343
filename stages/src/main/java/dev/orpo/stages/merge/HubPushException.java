package dev.orpo.stages.merge;

import java.io.IOException;

/**
 * A push to the hub failed; the message names the repository, the HTTP method and URL path, the answered status and,
 * where one is involved, the file.
 */
public final class HubPushException extends IOException {
    private final int status;

    public HubPushException(String message, int status) {
        super(message);
        this.status = status;
    }

    public HubPushException(String message, Throwable cause) {
        super(message, cause);
        this.status = -1;
    }

    /** The HTTP status the hub answered, or -1 when no answer came (offline, no token, bad input). */
    public int status() {
        return status;
    }
}

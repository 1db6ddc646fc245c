package dev.minibert.serve;

/** A request the server answers with a 4xx/5xx status and {@code {"error": message}}. */
final class ApiError extends RuntimeException {
    private final int status;

    ApiError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }

    /** 503 answers tell the client when to come back. */
    boolean retryable() {
        return status == 503;
    }
}

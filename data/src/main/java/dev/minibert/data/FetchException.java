package dev.minibert.data;

/** A fetch that cannot go on; the message is the one line the user sees: what failed and what to do about it. */
public final class FetchException extends RuntimeException {
    public FetchException(String message) {
        super(message);
    }
}

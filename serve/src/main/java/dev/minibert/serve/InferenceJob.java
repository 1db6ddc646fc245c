package dev.minibert.serve;

import dev.minibert.api.Pooling;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One request's texts on their way through the batcher: its texts may share forward passes with other requests'
 * and be split over several; the future completes when the last of them has its answer.
 */
final class InferenceJob {
    private final List<String> texts;
    private final List<String> pairs;
    private final Pooling pooling;
    private final Object[] results;
    private final AtomicInteger remaining;
    private final AtomicBoolean failed = new AtomicBoolean();
    private final CompletableFuture<List<Object>> done = new CompletableFuture<>();

    /** Texts to classify (pairs null or one per text) or to embed (pooling non-null). */
    InferenceJob(List<String> texts, List<String> pairs, Pooling pooling) {
        this.texts = texts;
        this.pairs = pairs;
        this.pooling = pooling;
        this.results = new Object[texts.size()];
        this.remaining = new AtomicInteger(texts.size());
    }

    int size() {
        return texts.size();
    }

    String text(int i) {
        return texts.get(i);
    }

    String pair(int i) {
        return pairs == null ? null : pairs.get(i);
    }

    Pooling pooling() {
        return pooling;
    }

    /** Results in the texts' order: {@code Prediction}s or {@code float[]} vectors. */
    CompletableFuture<List<Object>> done() {
        return done;
    }

    /** Stores one text's result; true when it was the last one, so the job may be {@link #finish()}ed. */
    boolean store(int i, Object result) {
        results[i] = result;
        return remaining.decrementAndGet() == 0;
    }

    void finish() {
        done.complete(List.of(results));
    }

    /** Marks the job failed; true only the first time, so its queue room is given back once. */
    boolean markFailed() {
        return failed.compareAndSet(false, true);
    }

    boolean failed() {
        return failed.get();
    }

    void fail(Throwable e) {
        done.completeExceptionally(e);
    }
}

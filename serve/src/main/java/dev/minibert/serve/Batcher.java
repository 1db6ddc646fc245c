package dev.minibert.serve;

import dev.minibert.api.Pooling;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Dynamic batching: one thread owns the model and gathers the texts of concurrent requests into forward passes of
 * up to {@code maxBatchSize}, waiting at most {@code maxWaitMs} after the first; each pass is ordered by length so
 * that it pads little. A permit per queued text bounds memory: a request that does not fit is refused at once.
 * A job holds its permits until it is answered or failed, and gives them back before its answer leaves, so a client
 * that got an answer can send its next request at once; texts of a failed job still queued are skipped.
 */
final class Batcher implements AutoCloseable {
    /** One text of a job. */
    private record Slot(InferenceJob job, int index) {
        int length() {
            String pair = job.pair(index);
            return job.text(index).length() + (pair == null ? 0 : pair.length());
        }
    }

    private final ServedModel model;
    private final int maxBatchSize;
    private final long maxWaitNanos;
    private final int maxQueue;
    private final ServeMetrics metrics;
    private final Semaphore permits;
    private final LinkedBlockingQueue<Slot> queue = new LinkedBlockingQueue<>();
    private final Thread worker;
    private volatile boolean closing;

    Batcher(ServedModel model, ServeOptions options, ServeMetrics metrics) {
        this.model = model;
        this.maxBatchSize = options.maxBatchSize();
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(options.maxWaitMs());
        this.maxQueue = options.maxQueue();
        this.metrics = metrics;
        this.permits = new Semaphore(maxQueue);
        this.worker = new Thread(this::work, "minibert-batcher");
        worker.start();
    }

    /** Texts accepted and not yet answered. */
    int queued() {
        return maxQueue - permits.availablePermits();
    }

    /** Queues the job's texts, or refuses the whole job (413 if it could never fit, 503 while the queue is full). */
    synchronized void submit(InferenceJob job) {
        if (job.size() > maxQueue) {
            throw new ApiError(413, job.size() + " texts in one request, more than --max-queue " + maxQueue);
        }
        if (closing) {
            throw new ApiError(503, "the server is shutting down");
        }
        if (!permits.tryAcquire(job.size())) {
            throw new ApiError(503, "queue full (--max-queue " + maxQueue + " texts): retry later");
        }
        for (int i = 0; i < job.size(); i++) {
            queue.add(new Slot(job, i));
        }
    }

    private void work() {
        try {
            while (!closing || !queue.isEmpty()) {
                Slot first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                List<Slot> batch = new ArrayList<>(maxBatchSize);
                batch.add(first);
                long deadline = System.nanoTime() + maxWaitNanos;
                while (batch.size() < maxBatchSize) {
                    Slot next = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
                run(batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run(List<Slot> gathered) {
        List<Slot> batch = new ArrayList<>(gathered.stream().filter(s -> !s.job().failed()).toList());
        if (batch.isEmpty()) {
            return;
        }
        batch.sort(Comparator.comparingInt(Slot::length));
        List<String> texts = new ArrayList<>(batch.size());
        List<String> pairs = new ArrayList<>(batch.size());
        List<Pooling> poolings = new ArrayList<>(batch.size());
        for (Slot s : batch) {
            texts.add(s.job().text(s.index()));
            pairs.add(s.job().pair(s.index()));
            poolings.add(s.job().pooling());
        }
        metrics.batch(batch.size());
        List<Object> results;
        try {
            results = model.forward().apply(texts, pairs, poolings);
        } catch (RuntimeException e) {
            for (Slot s : batch) {
                if (s.job().markFailed()) {
                    permits.release(s.job().size());
                    s.job().fail(e);
                }
            }
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            InferenceJob job = batch.get(i).job();
            if (job.store(batch.get(i).index(), results.get(i))) {
                permits.release(job.size());
                job.finish();
            }
        }
    }

    /** Refuses new jobs, answers every queued text, then stops the thread. */
    @Override
    public void close() throws InterruptedException {
        synchronized (this) { // no submit can slip in between this and the worker's last look at the queue
            closing = true;
        }
        worker.join();
    }
}

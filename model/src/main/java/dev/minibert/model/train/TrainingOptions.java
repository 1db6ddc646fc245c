package dev.minibert.model.train;

import dev.minibert.model.io.OutputFolder;
import java.io.Serializable;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The options pretraining and finetuning share, and the run they set up the same way from them: how many steps,
 * the warmup and decay of the learning rate, AdamW, the micro-batches in epoch order, and the {@link TrainingLoop}. Built by a
 * subclass of {@link Builder}; null means "not given" where a default is derived.
 *
 * @param maxSteps optimizer steps; null: {@code epochs} passes over the data
 * @param warmupSteps linear warmup steps; null: {@code warmupRatio} of all steps, else none
 * @param decayRatio linear decay to 0 over this last fraction of the steps; null: every step after warmup
 * @param saveEvery checkpoint every this many steps (0: only at the end); null: once per epoch
 */
public record TrainingOptions(Long maxSteps, int epochs, int batchSize, int accumulation, double learningRate,
                              Long warmupSteps, Double warmupRatio, Double decayRatio, double weightDecay,
                              double adamEpsilon, double maxGradNorm, int logEvery, Integer saveEvery,
                              int keepCheckpoints, long seed, boolean resume, boolean overwrite,
                              int maxBadSteps)
        implements Serializable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingOptions.class);

    /**
     * These options for {@code workers} workers that each run {@code accumulation} micro-batches of every step
     * (module distributed): a step holds that many times as many, numbered across the workers.
     */
    public TrainingOptions acrossWorkers(int workers) {
        return new TrainingOptions(maxSteps, epochs, batchSize, accumulation * workers, learningRate, warmupSteps,
                warmupRatio, decayRatio, weightDecay, adamEpsilon, maxGradNorm, logEvery, saveEvery, keepCheckpoints,
                seed, resume, overwrite, maxBadSteps);
    }

    /** How the run opens its folder: continuing an earlier run, replacing it, or refusing it. */
    public OutputFolder.Start start() {
        if (resume && overwrite) {
            throw new IllegalArgumentException("--overwrite and --resume exclude each other");
        }
        return resume ? OutputFolder.Start.RESUME : overwrite ? OutputFolder.Start.OVERWRITE : OutputFolder.Start.NEW;
    }

    /** Optimizer steps for {@code examples} training examples: {@code maxSteps}, or {@code epochs} passes. */
    public long totalSteps(int examples) {
        return maxSteps != null ? maxSteps : EpochOrder.stepsFor(examples, batchSize, accumulation, epochs);
    }

    /** Warmup resolved against the run's {@code total} steps. */
    public long warmupSteps(long total) {
        return warmupSteps != null ? warmupSteps : warmupRatio != null ? Math.round(warmupRatio * total) : 0;
    }

    /** The learning rate of every step: warmup, the peak held, then linear decay to 0. */
    public LinearWarmupDecay schedule(long total) {
        long warmup = warmupSteps(total);
        long decay = decayRatio == null ? total - warmup : Math.round(decayRatio * total);
        LOG.info("schedule: {} steps, peak learning rate {}, warmup {} steps, linear decay over the last {}", total,
                learningRate, warmup, decay);
        return new LinearWarmupDecay(learningRate, warmup, decay, total);
    }

    /** AdamW with BERT's betas; decoupled weight decay, none on LayerNorm and biases. */
    public AdamW optimizer() {
        return new AdamW(0.9, 0.999, adamEpsilon, weightDecay);
    }

    /** The micro-batches over {@code examples} examples: each epoch a fresh seeded permutation of them. */
    public MicroBatches microBatches(int examples) {
        return new MicroBatches(new EpochOrder(examples, batchSize, seed), accumulation, seed);
    }

    /** As {@link #microBatches(int)}, rows of similar {@code lengths} batched together (HF's group_by_length). */
    public MicroBatches microBatchesGroupedByLength(int[] lengths) {
        return new MicroBatches(EpochOrder.groupedByLength(lengths, batchSize, seed), accumulation, seed);
    }

    /** The loop that trains {@code task} on {@code examples} examples into {@code out}. */
    public TrainingLoop loop(TrainingTask task, AdamW optimizer, int examples, Path out) {
        long total = totalSteps(examples);
        int save = saveEvery != null ? saveEvery : (int) EpochOrder.stepsFor(examples, batchSize, accumulation, 1);
        return new TrainingLoop(task, optimizer, schedule(total), new TrainingLoop.Options(total, accumulation,
                maxGradNorm, logEvery, save, keepCheckpoints, maxBadSteps), out);
    }

    /**
     * The shared options, set one by one; {@code B} is the subclass, so that its own setters chain with these.
     * Defaults are those of both {@code minibert pretrain} and {@code minibert finetune}; a subclass sets the rest.
     */
    public abstract static class Builder<B extends Builder<B>> {
        private Long maxSteps;
        private int epochs = 1;
        private int batchSize;
        private int accumulation = 1;
        private double learningRate;
        private Long warmupSteps;
        private Double warmupRatio;
        private Double decayRatio;
        private double weightDecay = 0.01;
        private double adamEpsilon = 1e-8;
        private double maxGradNorm = 1.0;
        private int logEvery = 10;
        private Integer saveEvery;
        private int keepCheckpoints;
        private long seed = 42;
        private boolean resume;
        private boolean overwrite;
        private int maxBadSteps = 5;

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        public B maxSteps(Long maxSteps) {
            this.maxSteps = maxSteps;
            return self();
        }

        public B epochs(int epochs) {
            this.epochs = epochs;
            return self();
        }

        public B batchSize(int batchSize) {
            this.batchSize = batchSize;
            return self();
        }

        public B accumulation(int accumulation) {
            this.accumulation = accumulation;
            return self();
        }

        public B learningRate(double learningRate) {
            this.learningRate = learningRate;
            return self();
        }

        public B warmupSteps(Long warmupSteps) {
            this.warmupSteps = warmupSteps;
            return self();
        }

        public B warmupRatio(Double warmupRatio) {
            this.warmupRatio = warmupRatio;
            return self();
        }

        public B decayRatio(Double decayRatio) {
            this.decayRatio = decayRatio;
            return self();
        }

        public B weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return self();
        }

        public B adamEpsilon(double adamEpsilon) {
            this.adamEpsilon = adamEpsilon;
            return self();
        }

        public B maxGradNorm(double maxGradNorm) {
            this.maxGradNorm = maxGradNorm;
            return self();
        }

        public B logEvery(int logEvery) {
            this.logEvery = logEvery;
            return self();
        }

        public B saveEvery(Integer saveEvery) {
            this.saveEvery = saveEvery;
            return self();
        }

        public B keepCheckpoints(int keepCheckpoints) {
            this.keepCheckpoints = keepCheckpoints;
            return self();
        }

        public B seed(long seed) {
            this.seed = seed;
            return self();
        }

        public B resume(boolean resume) {
            this.resume = resume;
            return self();
        }

        /** --overwrite: an earlier run in the folder is deleted (only what minibert wrote) once the inputs are read. */
        public B overwrite(boolean overwrite) {
            this.overwrite = overwrite;
            return self();
        }

        public B maxBadSteps(int maxBadSteps) {
            this.maxBadSteps = maxBadSteps;
            return self();
        }

        /** Whether a number of warmup steps was given (it wins over a ratio). */
        protected boolean hasWarmupSteps() {
            return warmupSteps != null;
        }

        protected TrainingOptions training() {
            return new TrainingOptions(maxSteps, epochs, batchSize, accumulation, learningRate, warmupSteps,
                    warmupRatio, decayRatio, weightDecay, adamEpsilon, maxGradNorm, logEvery, saveEvery,
                    keepCheckpoints, seed, resume, overwrite, maxBadSteps);
        }
    }
}

package dev.minibert.eval.experiments;

import dev.minibert.model.BertConfig;
import dev.minibert.pretrain.Pretraining;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every experiment is given: the budget, the data, the folder it writes into, the seed every random
 * choice derives from (the first seed of a multi-seed run), and the command line that started it.
 *
 * @param stepsOverride replaces the budget's step counts when not null ({@code --steps})
 * @param labeledTrain  labeled JSONL/CSV/TSV for finetune-drift; may be null for the other experiments
 * @param peer          the PyTorch peer scripts, or why they cannot run
 */
public record ExperimentSetup(Budget budget, Path corpus, Path vocab, Path labeledTrain, Path labeledDev, Path dir,
                              long seed, Integer stepsOverride, String command, PeerScripts peer) {
    private static final Logger LOG = LoggerFactory.getLogger(ExperimentSetup.class);
    static final int PROGRESS_EVERY = 25;

    /** The same setup for one seed, writing into {@code seedDir}. */
    public ExperimentSetup forSeed(Path seedDir, long seedValue) {
        return new ExperimentSetup(budget, corpus, vocab, labeledTrain, labeledDev, seedDir, seedValue, stepsOverride,
                command, peer);
    }

    /** Steps of one training run: the budget's, unless {@code --steps} was given. */
    public long steps(int budgetSteps) {
        return stepsOverride != null ? stepsOverride : budgetSteps;
    }

    /** The budget's model in the given norm style and initializer std, sized to the vocabulary. */
    public BertConfig config(int vocabSize, BertConfig.NormStyle style, double initializerRange) {
        return BertConfig.builder().vocabSize(vocabSize).hiddenSize(budget.hidden()).numHiddenLayers(budget.layers())
                .numAttentionHeads(budget.heads()).intermediateSize(budget.intermediate())
                .maxPositionEmbeddings(budget.seqLen()).initializerRange(initializerRange).normStyle(style).build();
    }

    /** Writes {@code config} as {@code dir/name} and returns its path (pretraining reads a config file). */
    public Path writeConfig(String name, BertConfig config) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, config.toJsonString(), StandardCharsets.UTF_8);
        return file;
    }

    /**
     * Pretraining of {@code config} into {@code dir/run} with the budget's batch, length and peak LR, every step
     * logged (per-layer gradient norms and gammas), one checkpoint at the end, no held-out split.
     *
     * @param warmupRatio fraction of the steps spent warming up; 0 for none
     */
    public Pretraining.Options pretraining(String run, Path config, long steps, double warmupRatio,
                                           boolean headTransform) {
        return pretrainingBuilder(run, config, steps, headTransform).warmupRatio(warmupRatio).build();
    }

    /**
     * As {@link #pretraining(String, Path, long, double, boolean)} with {@code schedule}'s steps, warmup and decay;
     * with {@code --steps} the same fraction of its steps warms up.
     */
    public Pretraining.Options pretraining(String run, Path config, Budget.Schedule schedule, boolean headTransform) {
        long total = steps(schedule.steps());
        return pretrainingBuilder(run, config, total, headTransform).warmupRatio(schedule.warmupRatio())
                .decayRatio(schedule.decayRatio()).build();
    }

    private Pretraining.Builder pretrainingBuilder(String run, Path config, long steps, boolean headTransform) {
        return Pretraining.Options.builder().corpus(List.of(corpus)).vocab(vocab).config(config).out(dir.resolve(run))
                .maxSteps(steps).batchSize(budget.batchSize()).maxSeqLen(budget.seqLen())
                .learningRate(budget.learningRate()).logEvery(1).saveEvery(0).keepCheckpoints(1).seed(seed)
                .headTransform(headTransform).evalFraction(0.0).maxPredictionsPerSeq(budget.maxPredictionsPerSeq());
    }

    /** The fixed probe batch of this budget and seed, for per-layer gradient norms. */
    public MlmProbe probe(Vocab vocab) {
        return MlmProbe.fromCorpus(corpus, vocab, budget.batchSize(), budget.seqLen(), budget.maxPredictionsPerSeq(),
                seed);
    }

    /** Logs every {@link #PROGRESS_EVERY}th step of a run, so a long experiment shows where it is. */
    public Consumer<Map<String, Object>> progress(String run) {
        return row -> {
            if (row.get("step") instanceof Number step && step.longValue() % PROGRESS_EVERY == 0
                    && row.get("loss") instanceof Number loss) {
                LOG.info("{}: step {}, loss {}", run, step, String.format(Locale.ROOT, "%.4f", loss.doubleValue()));
            }
        };
    }

    /** The configuration as recorded in experiment.json. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("budget", budget.name());
        m.put("layers", budget.layers());
        m.put("hidden_size", budget.hidden());
        m.put("attention_heads", budget.heads());
        m.put("intermediate_size", budget.intermediate());
        m.put("batch_size", budget.batchSize());
        m.put("max_seq_len", budget.seqLen());
        m.put("learning_rate", budget.learningRate());
        m.put("steps_override", stepsOverride);
        m.put("corpus", corpus.toString());
        m.put("vocab", vocab.toString());
        m.put("labeled_train", labeledTrain == null ? null : labeledTrain.toString());
        m.put("labeled_dev", labeledDev == null ? null : labeledDev.toString());
        return m;
    }
}

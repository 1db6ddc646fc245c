package dev.minibert.pretrain;

import dev.minibert.model.train.SeedPurpose;
import dev.minibert.tokenizer.BertTokenizer;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one corpus → instances pipeline, streamed document by document, that both {@code pretrain --corpus} (into
 * memory) and {@code minibert shard} (onto disk) run: a seeded coin per document sends it to the held-out split or
 * to training, the {@link InstanceBuilder} packs it, and training instances with nothing to mask are dropped.
 */
public final class CorpusInstances {
    private static final Logger LOG = LoggerFactory.getLogger(CorpusInstances.class);

    /** Receives the instances in corpus order. */
    public interface Sink {
        void accept(Instance instance, boolean heldOut) throws IOException;
    }

    /** What one pass produced. */
    public record Counts(long train, long heldOut, long unmaskable, long skippedLines) {
    }

    private final CorpusReader reader;
    private final InstanceSettings settings;
    private final Vocab vocab;

    public CorpusInstances(List<Path> corpus, InstanceSettings settings, Vocab vocab) {
        this.reader = new CorpusReader(corpus, settings.documentPerLine()
                ? CorpusReader.Format.DOCUMENT_PER_LINE : CorpusReader.Format.SENTENCE_PER_LINE, settings.skipBadLines());
        this.settings = settings;
        this.vocab = vocab;
    }

    /** The corpus files in reading order. */
    public List<Path> files() {
        return reader.files();
    }

    /**
     * One pass over the corpus into {@code sink}. A training sequence of only [UNK] and special tokens would give a
     * batch without loss, so it is dropped (the evaluator skips such batches, so held-out ones stay).
     */
    public Counts stream(Sink sink) throws IOException {
        BertTokenizer tokenizer = new BertTokenizer(vocab, settings.lowercase());
        ChineseWordSegmenter segmenter = settings.wholeWordMask() ? new ChineseWordSegmenter() : null;
        InstanceBuilder builder = new InstanceBuilder(tokenizer, segmenter, settings.maxSeqLen(),
                settings.shortSeqProb(), false, settings.seed());
        SplittableRandom split = new SplittableRandom(SeedPurpose.HELD_OUT_SPLIT.seed(settings.seed()));
        long train = 0;
        long heldOut = 0;
        long unmaskable = 0;
        for (List<String> document : reader) {
            boolean held = split.nextDouble() < settings.evalFraction();
            for (Instance instance : builder.fromDocument(document)) {
                if (held) {
                    heldOut++;
                } else if (MaskingCollator.canMask(instance, vocab)) {
                    train++;
                } else {
                    unmaskable++;
                    continue;
                }
                sink.accept(instance, held);
            }
        }
        if (unmaskable > 0) {
            LOG.warn("dropped {} training sequences of only [UNK] and special tokens: nothing to mask", unmaskable);
        }
        if (reader.skippedLines() > 0) {
            LOG.warn("skipped {} lines with invalid UTF-8 (--skip-bad-lines)", reader.skippedLines());
        }
        if (train == 0) {
            throw new IllegalArgumentException("the corpus " + reader.files() + " yields no training sequence"
                    + (heldOut == 0 ? "" : " (all documents went to the held-out split; lower --eval-fraction)"));
        }
        return new Counts(train, heldOut, unmaskable, reader.skippedLines());
    }
}

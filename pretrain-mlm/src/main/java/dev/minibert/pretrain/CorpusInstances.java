package dev.minibert.pretrain;

import dev.minibert.model.train.SeedPurpose;
import dev.minibert.tokenizer.BertTokenizer;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
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
        this.reader = new CorpusReader(corpus, format(settings), settings.skipBadLines());
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
        InstanceBuilder builder = instanceBuilder(settings, vocab);
        try (Stream<List<String>> documents = reader.documents()) {
            return pack(builder, documents.map(builder::tokenize).iterator(), reader::skippedLines, sink);
        }
    }

    /**
     * The same pass over documents tokenized elsewhere ({@link InstanceBuilder#tokenize} of the corpus's documents in
     * reading order, e.g. by a Spark task per file), with the lines those readers skipped: the same instances.
     */
    public Counts stream(Iterator<List<InstanceBuilder.Segment>> tokenized, LongSupplier skippedLines, Sink sink)
            throws IOException {
        return pack(instanceBuilder(settings, vocab), tokenized, skippedLines, sink);
    }

    /** One corpus file's documents tokenized, and the lines its reader skipped. */
    public record TokenizedFile(List<List<InstanceBuilder.Segment>> documents, long skippedLines) implements Serializable {
    }

    /** {@link InstanceBuilder#tokenize} of every document of one of the corpus's files, read on its own. */
    public static TokenizedFile tokenize(Path file, InstanceSettings settings, Vocab vocab) {
        InstanceBuilder builder = instanceBuilder(settings, vocab);
        CorpusReader reader = CorpusReader.ofOneFile(file, format(settings), settings.skipBadLines());
        List<List<InstanceBuilder.Segment>> documents = new ArrayList<>();
        for (List<String> document : reader) {
            documents.add(builder.tokenize(document));
        }
        return new TokenizedFile(documents, reader.skippedLines());
    }

    private static CorpusReader.Format format(InstanceSettings settings) {
        return settings.documentPerLine() ? CorpusReader.Format.DOCUMENT_PER_LINE : CorpusReader.Format.SENTENCE_PER_LINE;
    }

    /** The builder every pass uses; {@link InstanceBuilder#tokenize} of one made elsewhere gives the same pieces. */
    public static InstanceBuilder instanceBuilder(InstanceSettings settings, Vocab vocab) {
        BertTokenizer tokenizer = new BertTokenizer(vocab, settings.lowercase());
        ChineseWordSegmenter segmenter = settings.wholeWordMask() ? new ChineseWordSegmenter() : null;
        return new InstanceBuilder(tokenizer, segmenter, settings.maxSeqLen(), settings.shortSeqProb(), false,
                settings.seed());
    }

    /** The random part, in corpus order: the held-out coin per document, the packing, the unmaskable filter. */
    private Counts pack(InstanceBuilder builder, Iterator<List<InstanceBuilder.Segment>> tokenized,
                        LongSupplier skippedLines, Sink sink) throws IOException {
        SplittableRandom split = new SplittableRandom(SeedPurpose.HELD_OUT_SPLIT.seed(settings.seed()));
        long train = 0;
        long heldOut = 0;
        long unmaskable = 0;
        while (tokenized.hasNext()) {
            List<InstanceBuilder.Segment> document = tokenized.next();
            boolean held = split.nextDouble() < settings.evalFraction();
            for (Instance instance : builder.fromTokenized(document)) {
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
        long skipped = skippedLines.getAsLong();
        if (skipped > 0) {
            LOG.warn("skipped {} lines with invalid UTF-8 (--skip-bad-lines)", skipped);
        }
        if (train == 0) {
            throw new IllegalArgumentException("the corpus " + reader.files() + " yields no training sequence"
                    + (heldOut == 0 ? "" : " (all documents went to the held-out split; lower --eval-fraction)"));
        }
        return new Counts(train, heldOut, unmaskable, skipped);
    }
}

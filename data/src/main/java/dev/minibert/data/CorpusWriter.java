package dev.minibert.data;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns source documents into the pretraining corpus (CorpusReader's sentence-per-line format: one sentence per
 * line, a blank line between documents): paragraphs with too little Chinese are dropped, every paragraph is kept
 * once (its first occurrence), and whole documents go to the held-out file by a hash of their id, so the split does
 * not move when other packages change.
 */
public final class CorpusWriter {
    /** Share of documents held out, in percent. */
    public static final int HELD_OUT_PERCENT = 5;

    /** Line, document and character counts of one written file. */
    public record Counts(long documents, long lines, long hanChars) {
    }

    private CorpusWriter() {
    }

    /** Keeps the paragraphs with enough Chinese, each paragraph only where it first occurs; drops empty documents. */
    public static List<SourceDocument> clean(List<SourceDocument> docs) {
        Set<String> seen = new HashSet<>();
        List<SourceDocument> out = new ArrayList<>();
        for (SourceDocument d : docs) {
            List<String> kept = d.paragraphs().stream().filter(ChineseText::isChineseEnough).filter(seen::add).toList();
            if (!kept.isEmpty()) {
                out.add(new SourceDocument(d.id(), d.packageName(), d.path(), kept));
            }
        }
        return out;
    }

    public static boolean isHeldOut(SourceDocument d) {
        return Math.floorMod(Hashing.hash64(d.id()), 100) < HELD_OUT_PERCENT;
    }

    /**
     * Writes cleaned documents to {@code train} and {@code heldOut}. Paragraphs in {@code keepOutOfTrain} (the dev and
     * test texts of a labeled set) are left out of the training file so that pretraining never sees them.
     */
    public static Counts[] write(List<SourceDocument> cleaned, Set<String> keepOutOfTrain, Path train, Path heldOut) {
        try (BufferedWriter t = Files.newBufferedWriter(train, StandardCharsets.UTF_8);
             BufferedWriter h = Files.newBufferedWriter(heldOut, StandardCharsets.UTF_8)) {
            long[] trainCounts = new long[3];
            long[] heldOutCounts = new long[3];
            for (SourceDocument d : cleaned) {
                boolean held = isHeldOut(d);
                List<String> paragraphs = held ? d.paragraphs()
                        : d.paragraphs().stream().filter(p -> !keepOutOfTrain.contains(p)).toList();
                if (!paragraphs.isEmpty()) {
                    writeDocument(paragraphs, held ? h : t, held ? heldOutCounts : trainCounts);
                }
            }
            return new Counts[] {counts(trainCounts), counts(heldOutCounts)};
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the corpus next to " + train, e);
        }
    }

    private static void writeDocument(List<String> paragraphs, BufferedWriter w, long[] counts) throws IOException {
        if (counts[0] > 0) {
            w.write('\n');
        }
        counts[0]++;
        for (String p : paragraphs) {
            for (String sentence : SentenceSplitter.split(p)) {
                w.write(sentence);
                w.write('\n');
                counts[1]++;
                counts[2] += ChineseText.hanCount(sentence);
            }
        }
    }

    private static Counts counts(long[] c) {
        return new Counts(c[0], c[1], c[2]);
    }
}

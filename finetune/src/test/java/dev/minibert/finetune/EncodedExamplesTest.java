package dev.minibert.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minibert.tokenizer.BertTokenizer;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sentence pairs become [CLS] a [SEP] b [SEP] with token types 0…0 1…1; batches pad to their longest row. */
class EncodedExamplesTest {
    @TempDir
    Path dir;

    @Test
    void pairDatasetGetsSegmentIdsAndPaddedBatches() throws IOException {
        Path file = Files.writeString(dir.resolve("pairs.tsv"), "text_a\ttext_b\tlabel\na b\tx\tyes\nc\td e f\tno\n",
                StandardCharsets.UTF_8);
        ClassificationDataset ds = ClassificationDataset.load(file, DatasetFormat.pair(file), null, false);
        Vocab v = TinyPretrained.vocab();
        EncodedExamples data = new EncodedExamples(ds.examples(), new BertTokenizer(v, true), 16);
        EncodedExamples.Batch b = data.batch(new int[] {1, 0});
        int cls = v.clsId();
        int sep = v.sepId();
        int pad = v.padId();
        assertThat(b.inputIds()).isDeepEqualTo(new int[][] {
            {cls, v.id("c"), sep, v.id("d"), v.id("e"), v.id("f"), sep},
            {cls, v.id("a"), v.id("b"), sep, v.id("x"), sep, pad}});
        assertThat(b.tokenTypeIds()).isDeepEqualTo(new int[][] {{0, 0, 0, 1, 1, 1, 1}, {0, 0, 0, 0, 1, 1, 0}});
        assertThat(b.attentionMask()).isDeepEqualTo(new int[][] {{1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 0}});
        assertThat(b.labels()).containsExactly(ds.labels().id("no"), ds.labels().id("yes"));
    }

    @Test
    void longPairsAreTruncatedLongestFirst() throws IOException {
        Path file = Files.writeString(dir.resolve("pairs.tsv"), "a b c d e f\tx a\tyes\n", StandardCharsets.UTF_8);
        ClassificationDataset ds = ClassificationDataset.load(file, DatasetFormat.pair(file), LabelMap.of(
                java.util.List.of("no", "yes")), false);
        Vocab v = TinyPretrained.vocab();
        EncodedExamples.Batch b = new EncodedExamples(ds.examples(), new BertTokenizer(v, true), 7).range(0, 1);
        // 7 = 3 specials + 4 tokens: the longer first text gives up tokens until both have 2
        assertThat(b.inputIds()[0]).containsExactly(v.clsId(), v.id("a"), v.id("b"), v.sepId(), v.id("x"), v.id("a"),
                v.sepId());
        assertThat(b.tokenTypeIds()[0]).containsExactly(0, 0, 0, 0, 1, 1, 1);
    }
}

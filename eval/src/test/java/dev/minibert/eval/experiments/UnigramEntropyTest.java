package dev.minibert.eval.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnigramEntropyTest {
    @TempDir
    Path tmp;

    @Test
    void entropyOfCounts() {
        assertThat(UnigramEntropy.entropy(new long[] {0, 5, 5, 5, 5})).isCloseTo(Math.log(4), within(1e-12));
        // p = 3/4, 1/4: -(0.75 ln 0.75 + 0.25 ln 0.25) = 0.5623351446
        assertThat(UnigramEntropy.entropy(new long[] {3, 1})).isCloseTo(0.5623351446, within(1e-9));
    }

    @Test
    void countsTheCorpusTokensButNoSpecials() throws IOException {
        Path corpus = Files.writeString(tmp.resolve("c.txt"), "甲甲甲乙\n\n甲乙丙丙\n");
        Vocab vocab = Vocab.of(java.util.List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "甲", "乙"));
        // 甲 4, 乙 2, 丙 → [UNK] (special, not counted): p = 2/3, 1/3
        double h = -(2.0 / 3 * Math.log(2.0 / 3) + 1.0 / 3 * Math.log(1.0 / 3));
        assertThat(UnigramEntropy.of(corpus, vocab)).isCloseTo(h, within(1e-12));
    }
}

package dev.minibert.model.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Fuzzes a model directory's vocab.txt (Vocab over Utf8LineReader, the line reader of every text input). Here
 * rather than in the tokenizer module, so that it shares the fuzz oracle with the other file formats.
 */
class VocabFuzzTest {
    private static final Path FILE = ClearErrors.scratch("vocab.txt");

    @FuzzTest
    void vocabTxt(byte[] bytes) throws IOException {
        System.setProperty("minibert.maxLineBytes", "64"); // so that the fuzzer's short inputs reach the limit
        try {
            ClearErrors.check(FILE, bytes, file -> {
                Vocab v = Vocab.read(file);
                for (int id = 0; id < v.size(); id++) {
                    assertThat(v.id(v.token(id))).isEqualTo(id);
                }
            });
        } finally {
            System.clearProperty("minibert.maxLineBytes");
        }
    }
}

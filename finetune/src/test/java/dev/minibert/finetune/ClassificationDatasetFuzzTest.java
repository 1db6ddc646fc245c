package dev.minibert.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.minibert.model.io.ClearErrors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes the dataset readers. The first byte picks CSV, TSV or JSONL, single or pair, strict or skipping bad rows;
 * the rest is the file.
 */
class ClassificationDatasetFuzzTest {
    private static final List<Path> FILES = List.of(ClearErrors.scratch("fuzz.csv"), ClearErrors.scratch("fuzz.tsv"),
            ClearErrors.scratch("fuzz.jsonl"));

    @FuzzTest
    void anyFormat(byte[] bytes) throws IOException {
        if (bytes.length == 0) {
            return;
        }
        int choice = Byte.toUnsignedInt(bytes[0]);
        Path file = FILES.get(choice % 3);
        boolean pair = (choice / 3) % 2 == 1;
        boolean skip = (choice / 6) % 2 == 1;
        System.setProperty("minibert.maxLineBytes", "256"); // so that the fuzzer's short inputs reach the limit
        try {
            ClearErrors.check(file, Arrays.copyOfRange(bytes, 1, bytes.length), f -> {
                DatasetFormat format = pair ? DatasetFormat.pair(f) : DatasetFormat.single(f);
                ClassificationDataset d = ClassificationDataset.load(f, format, null, skip);
                assertThat(d.examples()).isNotEmpty();
                for (Example e : d.examples()) {
                    assertThat(e.label()).isBetween(0, d.labels().size() - 1);
                    assertThat(e.textA()).isNotBlank();
                }
            });
        } finally {
            System.clearProperty("minibert.maxLineBytes");
        }
    }
}

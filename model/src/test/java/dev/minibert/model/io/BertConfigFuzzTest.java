package dev.minibert.model.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.minibert.model.BertConfig;
import java.io.IOException;
import java.nio.file.Path;

/** Fuzzes config.json: any JSON, any sizes; a config that reads must be one a model can be built from. */
class BertConfigFuzzTest {
    private static final Path FILE = ClearErrors.scratch("config.json");

    @FuzzTest
    void configJson(byte[] bytes) throws IOException {
        ClearErrors.check(FILE, bytes, file -> {
            BertConfig c = BertConfig.read(file);
            assertThat(c.parameterCount()).isPositive();
            assertThat(c.hiddenSize % c.numAttentionHeads).isZero();
            assertThat(BertConfig.fromJson(c.toJson())).isEqualTo(c);
        });
    }
}

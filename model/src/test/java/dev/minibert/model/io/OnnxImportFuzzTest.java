package dev.minibert.model.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Path;

/** Fuzzes the ONNX import from the tiny export: protobuf, tensor dims and data, the graph walk, the config. */
class OnnxImportFuzzTest {
    private static final Path FILE = ClearErrors.scratch("fuzz.onnx");

    @FuzzTest
    void bertGraph(byte[] bytes) throws IOException {
        ClearErrors.check(FILE, bytes, file -> {
            OnnxImport.Imported imported = OnnxImport.read(file);
            assertThat(imported.tensors()).containsKey("bert.embeddings.word_embeddings.weight");
            assertThat(imported.config().vocabSize)
                    .isEqualTo(imported.tensors().get("bert.embeddings.word_embeddings.weight").size(0));
        });
    }
}

package dev.minibert.model.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Fuzzes the safetensors reader: header length, JSON header, shapes, offsets and the data behind them. */
class SafeTensorsFuzzTest {
    private static final Path FILE = ClearErrors.scratch("fuzz.safetensors");

    @FuzzTest
    void headerAndTensors(byte[] bytes) throws IOException {
        ClearErrors.check(FILE, bytes, file -> {
            Map<String, INDArray> tensors = SafeTensors.read(file);
            long total = 0;
            for (INDArray t : tensors.values()) {
                total += t.length() * t.dataType().width();
            }
            // what was read is at most what the file holds after its header
            assertThat(total).isLessThanOrEqualTo(bytes.length);
            SafeTensors.metadata(file);
        });
    }
}

package dev.minibert.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.minibert.model.BertModel;
import dev.minibert.model.Gemm;
import dev.minibert.tokenizer.BertTokenizer;
import dev.minibert.tokenizer.Encoding;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@link Encoder} in batches equals a forward of each text alone, and each pooling is what its name says. */
class EncoderTest {
    private static final int H = 16;

    @TempDir
    Path dir;

    @Test
    void batchedEncodingAndPoolingsEqualAForwardOfEachTextAlone() throws IOException {
        BertModel bert = TinyModels.encoder(dir.resolve("model"));
        // batch size 2 over 5 texts of different lengths: padding and a partial last batch
        Encoder encoder = Encoder.load(dir.resolve("model"), 1, 2);
        List<EncodedText> encoded = encoder.encode(TinyModels.TEXTS);
        float[][] cls = encoder.embed(TinyModels.TEXTS, Pooling.CLS);
        float[][] mean = encoder.embed(TinyModels.TEXTS, Pooling.MEAN);
        float[][] pooler = encoder.embed(TinyModels.TEXTS, Pooling.POOLER);
        BertTokenizer tokenizer = new BertTokenizer(TinyModels.vocab(), true);
        assertThat(encoded).hasSize(TinyModels.TEXTS.size());
        for (int i = 0; i < encoded.size(); i++) {
            Encoding alone = tokenizer.encode(TinyModels.TEXTS.get(i));
            int t = alone.inputIds().length;
            BertModel.Output expected = bert.forward(new int[][] {alone.inputIds()}, new int[][] {alone.tokenTypeIds()},
                    new int[][] {alone.attentionMask()}, false);
            INDArray hidden = expected.lastHiddenState();
            assertThat(encoded.get(i).inputIds()).isEqualTo(alone.inputIds());
            assertThat(encoded.get(i).lastHiddenState()).hasNumberOfRows(t);
            for (int k = 0; k < H; k++) {
                double sum = 0;
                for (int p = 0; p < t; p++) {
                    assertThat(encoded.get(i).lastHiddenState()[p][k]).as("text %d token %d dim %d", i, p, k)
                            .isCloseTo(hidden.getFloat(0, p, k), within(1e-4f));
                    sum += hidden.getDouble(0, p, k);
                }
                assertThat(cls[i][k]).as("CLS, text %d dim %d", i, k).isCloseTo(hidden.getFloat(0, 0, k), within(1e-4f));
                assertThat((double) mean[i][k]).as("mean, text %d dim %d", i, k).isCloseTo(sum / t, within(1e-4));
                assertThat(pooler[i][k]).as("pooler, text %d dim %d", i, k)
                        .isCloseTo(expected.poolerOutput().getFloat(0, k), within(1e-4f));
            }
        }
        assertThat(encoded.get(2).inputIds()[5]).as("zebra is unknown").isEqualTo(TinyModels.vocab().unkId());
        assertThat(encoder.tokenize("The cat zebra")).containsExactly("the", "cat", "[UNK]");
    }

    /**
     * Poolings per text: a batch without MEAN runs its last layer for [CLS] alone, yet every vector has the bits of
     * its pooling applied to {@link Encoder#encode}'s states (within float rounding where products are not
     * batch-invariant).
     */
    @Test
    void perTextPoolingsGiveWhatEachPoolingGivesOnTheWholeStates() throws IOException {
        TinyModels.encoder(dir.resolve("model"));
        Encoder encoder = Encoder.load(dir.resolve("model"), 1, 2);
        // batches {0,1} and {2,3} read [CLS] alone, {4} needs every state
        List<Pooling> poolings = List.of(Pooling.CLS, Pooling.POOLER, Pooling.POOLER, Pooling.CLS, Pooling.MEAN);
        float[][] vectors = encoder.embed(TinyModels.TEXTS, poolings);
        List<EncodedText> encoded = encoder.encode(TinyModels.TEXTS);
        for (int i = 0; i < vectors.length; i++) {
            float[] expected = poolings.get(i).apply(encoded.get(i));
            if (Gemm.isBatchInvariant()) {
                assertThat(vectors[i]).as("text %d, %s", i, poolings.get(i)).containsExactly(expected);
            } else {
                assertThat(vectors[i]).as("text %d, %s", i, poolings.get(i)).containsExactly(expected, within(1e-5f));
            }
        }
        assertThatThrownBy(() -> encoder.embed(TinyModels.TEXTS, poolings.subList(0, 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 poolings for 5 texts");
    }

    @Test
    void truncatesToTheGivenLength() throws IOException {
        TinyModels.encoder(dir.resolve("model"));
        Encoder encoder = Encoder.load(dir.resolve("model"), 1, 4);
        assertThat(encoder.maxLength()).isEqualTo(16);
        EncodedText text = encoder.encode(List.of("the cat sat on the mat"), 4).get(0);
        assertThat(text.inputIds()).hasSize(4);
        assertThat(text.lastHiddenState()).hasNumberOfRows(4);
    }

    @Test
    void aMissingDirectoryIsNamed() {
        Path nowhere = dir.resolve("nowhere");
        assertThatThrownBy(() -> Encoder.load(nowhere)).isInstanceOf(IOException.class)
                .hasMessageContaining(nowhere.toString());
        assertThatThrownBy(() -> Encoder.load(nowhere, 1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batch size");
    }
}

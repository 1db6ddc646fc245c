package dev.minibert.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minibert.model.BertConfig;
import dev.minibert.model.BlasSelfCheck;
import dev.minibert.model.Gemm;
import dev.minibert.model.Initializer;
import dev.minibert.model.ParameterStore;
import dev.minibert.tokenizer.BertTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Batched prediction (batches formed by length, padded) against each example predicted alone (no padding). */
class PredictorTest {
    @BeforeAll
    static void blas() {
        BlasSelfCheck.verify();
    }

    @Test
    void batchesByLengthGiveEachExampleItsOwnUnpaddedResultInTheExamplesOrder() {
        BertConfig config = TinyPretrained.config(BertConfig.NormStyle.POST, 0.0);
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertForSequenceClassification model = new BertForSequenceClassification(config, store, 3, null);
        Initializer.initialize(store, 0.5, 11); // large weights: examples get clearly different probabilities
        Random r = new Random(5);
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            StringBuilder text = new StringBuilder();
            for (int n = 1 + r.nextInt(12); n > 0; n--) {
                text.append(TinyPretrained.LETTERS.get(r.nextInt(TinyPretrained.LETTERS.size()))).append(' ');
            }
            examples.add(new Example(text.toString().trim(), null, r.nextInt(3), i + 1));
        }
        EncodedExamples data = new EncodedExamples(examples, new BertTokenizer(TinyPretrained.vocab(), true), 16);

        double[][] batched = new Predictor(model, 5).probabilities(data);
        double[][] alone = new Predictor(model, 1).probabilities(data);
        assertThat(batched).hasNumberOfRows(23);
        for (int i = 0; i < 23; i++) {
            for (int c = 0; c < 3; c++) {
                if (Gemm.isBatchInvariant()) { // inference's products and softmax are batch-invariant
                    assertThat(batched[i][c]).as("example %d class %d", i, c).isEqualTo(alone[i][c]);
                } else {
                    assertThat(batched[i][c]).as("example %d class %d", i, c).isCloseTo(alone[i][c], within(1e-5));
                }
            }
        }
        // the check above could not tell rows apart if every example scored alike
        assertThat(alone[0][0]).isNotCloseTo(alone[1][0], within(1e-3));
    }
}

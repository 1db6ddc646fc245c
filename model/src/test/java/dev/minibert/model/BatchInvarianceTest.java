package dev.minibert.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inference (a forward under {@link BertModel#noGrad()}) gives a sequence the same bits alone, in batches with
 * sequences of other lengths (so padded to theirs), and at 1 or 2 threads: its hidden states at its real positions
 * and its pooled vector. Lengths from 1 to 40 tokens cross oneDNN's row regimes (1, 2..15, 16 and more) and the
 * softmax's vector width; two long ones (300 and 420) cross its depth blocks (384) in the attention's probs·V. A
 * classifier's head on the pooled vectors gives a text the same logits too, with 2 labels and with 1 (a regression
 * head, whose product alone is 1×1).
 * Where invariance is not established the same runs are held to float rounding, so CI never skips them. Each runs
 * trainable and frozen: a frozen store's products run on {@link PackedWeight} where it is available.
 */
class BatchInvarianceTest {
    private static final int[] LENGTHS = {1, 2, 3, 5, 8, 13, 16, 17, 29, 40};
    private static final int VOCAB = 60;
    /** What {@link #outputs} gives per text, in order. */
    private static final String[] OUTPUTS = {"hidden states", "pooled vector", "logits"};

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    /** Each norm style, trainable and frozen ({@link ParameterStore#freeze()}: the products on packed weights). */
    static Stream<Arguments> stylesAndFreezing() {
        return Stream.of(BertConfig.NormStyle.values())
                .flatMap(style -> Stream.of(Arguments.of(style, false), Arguments.of(style, true)));
    }

    @ParameterizedTest
    @MethodSource("stylesAndFreezing")
    void aSequencesOutputsDoNotDependOnItsBatchOrThreads(BertConfig.NormStyle style, boolean frozen) {
        BertModel model = model(style, 64, frozen);
        List<int[]> texts = texts(LENGTHS, 1);
        List<List<Integer>> batches = List.of(
                List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), // everyone padded to 40
                List.of(9, 0), List.of(1, 6), List.of(3, 7, 2), List.of(6, 7), List.of(5, 8, 4));
        check(model, null, texts, batches);
    }

    @ParameterizedTest
    @CsvSource({"1, false", "2, false", "1, true", "2, true"})
    void aClassifiersLogitsDoNotDependOnItsBatchOrThreads(int labels, boolean frozen) {
        BertModel model = model(BertConfig.NormStyle.POST, 64, frozen);
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        Linear head = new Linear(store, "classifier", 32, labels);
        Initializer.initialize(store, 0.2, 18);
        if (frozen) {
            store.freeze();
        }
        List<int[]> texts = texts(new int[] {1, 5, 16, 29}, 3);
        check(model, head, texts, List.of(List.of(0, 1, 2, 3), List.of(3, 1), List.of(2, 0)));
    }

    @ParameterizedTest
    @MethodSource("stylesAndFreezing")
    void longSequencesToo(BertConfig.NormStyle style, boolean frozen) {
        BertModel model = model(style, 512, frozen);
        List<int[]> texts = texts(new int[] {3, 200, 300, 420}, 2);
        check(model, null, texts, List.of(List.of(0, 1, 2, 3), List.of(2, 3), List.of(1, 2)));
    }

    /**
     * {@link BertModel#forwardFirstTokens}, whose last layer runs for [CLS] alone, gives each text the [CLS] state
     * and the pooled vector of the whole forward, in the same batches (padded), at 1 and 2 threads, with 2 layers and
     * with 1 (where the last layer reads the embeddings).
     */
    @ParameterizedTest
    @MethodSource("stylesAndFreezing")
    void theFirstTokensForwardGivesTheWholeForwardsClsStateAndPooledVector(BertConfig.NormStyle style,
                                                                          boolean frozen) {
        List<int[]> texts = texts(LENGTHS, 4);
        List<List<Integer>> batches = List.of(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), List.of(9, 0), List.of(0),
                List.of(7), List.of(3, 8, 5));
        for (int layers : new int[] {2, 1}) {
            BertModel model = model(style, 64, frozen, layers);
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                for (List<Integer> batch : batches) {
                    List<int[]> in = batch.stream().map(texts::get).toList();
                    List<float[][]> whole = outputs(model, null, in);
                    List<float[][]> first = firstTokenOutputs(model, in);
                    for (int i = 0; i < in.size(); i++) {
                        float[][] expected = {Arrays.copyOf(whole.get(i)[0], 32), whole.get(i)[1]};
                        assertSame(expected, first.get(i), "the " + in.get(i).length + "-token text's [CLS] in batch "
                                + batch + ", " + layers + " layers, " + threads + " threads");
                    }
                }
            }
        }
    }

    /**
     * {@link BertModel#forwardRows}, whose last layer runs for the given rows alone, gives each row the whole forward's
     * state, in padded batches whose sequences have different numbers of rows (so the attention pads its queries), none
     * at all, or every real token, at 1 and 2 threads, with 2 layers and with 1.
     */
    @ParameterizedTest
    @MethodSource("stylesAndFreezing")
    void theSelectedRowsForwardGivesTheWholeForwardsStatesAtThoseRows(BertConfig.NormStyle style, boolean frozen) {
        List<int[]> texts = texts(LENGTHS, 5);
        List<List<Integer>> batches = List.of(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), List.of(9, 0), List.of(7),
                List.of(3, 8, 5));
        SplittableRandom random = new SplittableRandom(6);
        for (int layers : new int[] {2, 1}) {
            BertModel model = model(style, 64, frozen, layers);
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                for (List<Integer> batch : batches) {
                    int[][][] in = padded(batch.stream().map(texts::get).toList());
                    int width = in[0][0].length;
                    IntStream.Builder chosen = IntStream.builder();
                    for (int b = 0; b < batch.size(); b++) {
                        int length = texts.get(batch.get(b)).length;
                        double share = b % 3 == 0 ? 0.15 : b % 3 == 1 ? 1 : 0.5;
                        for (int t = 0; t < length; t++) {
                            if (random.nextDouble() < share) {
                                chosen.add(b * width + t);
                            }
                        }
                    }
                    int[] rows = chosen.build().toArray();
                    if (rows.length == 0) {
                        rows = new int[] {width - 1};
                    }
                    try (BertModel.NoGrad noGrad = model.noGrad()) {
                        float[] whole = model.forward(in[0], in[1], in[2], false).lastHiddenState().dup('c').data()
                                .asFloat();
                        INDArray selected = model.forwardRows(in[0], in[1], in[2], rows, false);
                        assertThat(selected.shape()).containsExactly(rows.length, 32);
                        float[] states = selected.dup('c').data().asFloat();
                        for (int i = 0; i < rows.length; i++) {
                            assertSame(new float[][] {Arrays.copyOfRange(whole, rows[i] * 32, (rows[i] + 1) * 32)},
                                    new float[][] {Arrays.copyOfRange(states, i * 32, (i + 1) * 32)},
                                    "row " + rows[i] + " of " + rows.length + " in batch " + batch + ", " + layers
                                            + " layers, " + threads + " threads");
                        }
                    }
                }
            }
        }
    }

    /**
     * Each text alone at 1 thread is the reference: alone and in each batch, at 1 and 2 threads. head: a
     * classifier's head on the pooled vectors, or null.
     */
    private static void check(BertModel model, Linear head, List<int[]> texts, List<List<Integer>> batches) {
        Parallel.setThreads(1);
        List<float[][]> reference = new ArrayList<>();
        for (int[] text : texts) {
            reference.add(outputs(model, head, List.of(text)).get(0));
        }
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            for (int i = 0; i < texts.size(); i++) {
                assertSame(reference.get(i), outputs(model, head, List.of(texts.get(i))).get(0),
                        "the " + texts.get(i).length + "-token text alone, " + threads + " threads");
            }
            for (List<Integer> batch : batches) {
                List<float[][]> together = outputs(model, head, batch.stream().map(texts::get).toList());
                for (int i = 0; i < batch.size(); i++) {
                    int text = batch.get(i);
                    assertSame(reference.get(text), together.get(i), "the " + texts.get(text).length
                            + "-token text in batch " + batch + ", " + threads + " threads");
                }
            }
        }
    }

    /**
     * Bit for bit where {@link Gemm#isBatchInvariant()}; elsewhere (OpenBLAS, other ISAs) only within float
     * rounding of values of magnitude ~1, as the serving tests hold it there.
     */
    private static void assertSame(float[][] expected, float[][] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            if (Gemm.isBatchInvariant()) {
                assertThat(bits(actual[i])).as("%s of %s", OUTPUTS[i], what).containsExactly(bits(expected[i]));
            } else {
                assertThat(actual[i]).as("%s of %s", OUTPUTS[i], what).containsExactly(expected[i], within(1e-5f));
            }
        }
    }

    private static BertModel model(BertConfig.NormStyle style, int positions, boolean frozen) {
        return model(style, positions, frozen, 2);
    }

    /** A model of hidden 32, 2 heads, intermediate 64, a vocabulary of 60. */
    static BertModel model(BertConfig.NormStyle style, int positions, boolean frozen, int layers) {
        BertConfig config = BertConfig.builder().vocabSize(VOCAB).hiddenSize(32).numHiddenLayers(layers)
                .numAttentionHeads(2).intermediateSize(64).maxPositionEmbeddings(positions).typeVocabSize(2)
                .normStyle(style).build();
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertModel model = new BertModel(config, store, "bert.", true);
        Initializer.initialize(store, 0.2, 17);
        if (frozen) {
            store.freeze();
        }
        return model;
    }

    /** Token ids, [CLS] (2) first and [SEP] (3) last from two tokens on. */
    private static List<int[]> texts(int[] lengths, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<int[]> texts = new ArrayList<>();
        for (int length : lengths) {
            int[] ids = new int[length];
            for (int t = 0; t < length; t++) {
                ids[t] = t == 0 ? 2 : t == length - 1 ? 3 : 5 + random.nextInt(VOCAB - 5);
            }
            texts.add(ids);
        }
        return texts;
    }

    /**
     * Per text of one padded batch: its hidden states at its real positions [T·H], its pooled vector [H] and, with a
     * head, its logits.
     */
    private static List<float[][]> outputs(BertModel model, Linear head, List<int[]> texts) {
        int width = texts.stream().mapToInt(t -> t.length).max().orElseThrow();
        int[][][] in = padded(texts);
        List<float[][]> out = new ArrayList<>();
        try (BertModel.NoGrad noGrad = model.noGrad()) {
            BertModel.Output output = model.forward(in[0], in[1], in[2], false);
            int hidden = (int) output.lastHiddenState().size(2);
            float[] states = output.lastHiddenState().dup('c').data().asFloat();
            float[] pooled = output.poolerOutput().dup('c').data().asFloat();
            INDArray logits = head == null ? null : head.forward(output.poolerOutput());
            for (int b = 0; b < texts.size(); b++) {
                int from = b * width * hidden;
                float[] real = Arrays.copyOfRange(states, from, from + texts.get(b).length * hidden);
                float[] vector = Arrays.copyOfRange(pooled, b * hidden, (b + 1) * hidden);
                out.add(logits == null ? new float[][] {real, vector}
                        : new float[][] {real, vector, logits.getRow(b).dup('c').data().asFloat()});
            }
        }
        return out;
    }

    /** Per text of one padded batch, from {@link BertModel#forwardFirstTokens}: its [CLS] state [H] and pooled vector. */
    private static List<float[][]> firstTokenOutputs(BertModel model, List<int[]> texts) {
        int[][][] in = padded(texts);
        List<float[][]> out = new ArrayList<>();
        try (BertModel.NoGrad noGrad = model.noGrad()) {
            BertModel.Output output = model.forwardFirstTokens(in[0], in[1], in[2], false);
            assertThat(output.lastHiddenState().shape()).containsExactly(texts.size(), 1, 32);
            float[] states = output.lastHiddenState().dup('c').data().asFloat();
            float[] pooled = output.poolerOutput().dup('c').data().asFloat();
            for (int b = 0; b < texts.size(); b++) {
                out.add(new float[][] {Arrays.copyOfRange(states, b * 32, (b + 1) * 32),
                        Arrays.copyOfRange(pooled, b * 32, (b + 1) * 32)});
            }
        }
        return out;
    }

    /** ids, token types (the second half 1) and mask of texts padded to the longest. */
    private static int[][][] padded(List<int[]> texts) {
        int width = texts.stream().mapToInt(t -> t.length).max().orElseThrow();
        int[][] ids = new int[texts.size()][width];
        int[][] types = new int[texts.size()][width];
        int[][] mask = new int[texts.size()][width];
        for (int b = 0; b < texts.size(); b++) {
            int[] text = texts.get(b);
            System.arraycopy(text, 0, ids[b], 0, text.length);
            for (int t = 0; t < text.length; t++) {
                types[b][t] = t >= text.length / 2 ? 1 : 0;
                mask[b][t] = 1;
            }
        }
        return new int[][][] {ids, types, mask};
    }

    private static int[] bits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }
}

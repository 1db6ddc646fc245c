package dev.minibert.api;

import dev.minibert.model.BertModel;
import dev.minibert.model.Nd4jSetup;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.PretrainedWeights;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.tokenizer.BertTokenizer;
import dev.minibert.tokenizer.EncodeOptions;
import dev.minibert.tokenizer.Encoding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A model directory's encoder (HF's {@code BertModel}): tokenizes text and computes its hidden states and pooled
 * vectors. The same code path as {@code minibert embed}. Not thread-safe: use one per thread.
 */
public final class Encoder {
    /** Texts per forward pass unless told: {@code minibert embed}'s {@code --batch-size} default. */
    public static final int DEFAULT_BATCH_SIZE = 16;

    /**
     * The network under an encoder: one padded batch [B,T] in, the last hidden states [B,T,H] and the pooled
     * vectors [B,H] out. minibert's {@code BertModel}, or another runtime running the exported graph (the serve
     * benchmark's ONNX Runtime).
     */
    @FunctionalInterface
    public interface Network {
        /**
         * One forward pass.
         *
         * @param inputIds [B][T] token ids, padded
         * @param tokenTypeIds [B][T] segment ids
         * @param attentionMask [B][T] 1 for tokens, 0 for padding
         * @return the last hidden states and the pooler's output
         */
        BertModel.Output forward(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask);

        /**
         * A forward pass of which only each sequence's first token ([CLS]) is read: the last hidden states may be
         * [B,1,H], that token alone. minibert's runs its last layer for [CLS] only; by default, the whole pass.
         *
         * @param inputIds [B][T] token ids, padded
         * @param tokenTypeIds [B][T] segment ids
         * @param attentionMask [B][T] 1 for tokens, 0 for padding
         * @return the last hidden states ([B,1,H] or [B,T,H]) and the pooler's output
         */
        default BertModel.Output forwardFirstTokens(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask) {
            return forward(inputIds, tokenTypeIds, attentionMask);
        }
    }

    /** minibert's own network: a frozen {@link BertModel}, every pass under {@code noGrad}. */
    private record Minibert(BertModel bert) implements Network {
        @Override
        public BertModel.Output forward(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask) {
            try (BertModel.NoGrad noGrad = bert.noGrad()) {
                return bert.forward(inputIds, tokenTypeIds, attentionMask, false);
            }
        }

        @Override
        public BertModel.Output forwardFirstTokens(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask) {
            try (BertModel.NoGrad noGrad = bert.noGrad()) {
                return bert.forwardFirstTokens(inputIds, tokenTypeIds, attentionMask, false);
            }
        }
    }

    private final Network network;
    private final BertTokenizer tokenizer;
    private final int maxPositions;
    private final int batchSize;

    private Encoder(Network network, BertTokenizer tokenizer, int maxPositions, int batchSize) {
        this.network = network;
        this.tokenizer = tokenizer;
        this.maxPositions = maxPositions;
        this.batchSize = batchSize;
    }

    /**
     * Loads a model directory with every core and {@link #DEFAULT_BATCH_SIZE}.
     *
     * @param dir a model directory ({@code config.json}, {@code vocab.txt}, {@code model.safetensors})
     * @return the encoder
     * @throws IOException when the directory cannot be read; the message names the file
     */
    public static Encoder load(Path dir) throws IOException {
        return load(dir, Nd4jSetup.cores(), DEFAULT_BATCH_SIZE);
    }

    /**
     * Loads a model directory. A missing pooler (an MLM-only model) gets a seeded fresh init, as in
     * {@code minibert embed}.
     *
     * @param dir a model directory ({@code config.json}, {@code vocab.txt}, {@code model.safetensors})
     * @param threads threads for the kernels and matrix products (process-wide: ND4J's setting is global)
     * @param batchSize texts per forward pass
     * @return the encoder
     * @throws IOException when the directory cannot be read; the message names the file
     */
    public static Encoder load(Path dir, int threads, int batchSize) throws IOException {
        requireBatchSize(batchSize);
        Nd4jSetup.init(threads);
        ModelDirectory model = ModelDirectory.open(dir);
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertModel bert = new BertModel(model.config(), store, "bert.", true);
        PretrainedWeights.load(model, store, name -> name.startsWith("bert.pooler."), 42);
        store.freeze(); // inference only: the products read weights packed once
        return new Encoder(new Minibert(bert), new BertTokenizer(model.vocab(), model.doLowerCase()),
                model.config().maxPositionEmbeddings, batchSize);
    }

    /**
     * A model directory's tokenizer and truncation over another network: the same tokenization, batches and
     * padding as {@link #load(Path, int, int)}, with {@code network}'s outputs instead of minibert's (the serve
     * benchmark runs the exported graph in ONNX Runtime here).
     *
     * @param dir a model directory ({@code config.json}, {@code vocab.txt})
     * @param batchSize texts per forward pass
     * @param network the forward pass of one padded batch
     * @return the encoder
     * @throws IOException when the directory cannot be read; the message names the file
     */
    public static Encoder withNetwork(Path dir, int batchSize, Network network) throws IOException {
        requireBatchSize(batchSize);
        ModelDirectory model = ModelDirectory.open(dir);
        return new Encoder(network, new BertTokenizer(model.vocab(), model.doLowerCase()),
                model.config().maxPositionEmbeddings, batchSize);
    }

    /**
     * The model's word pieces of a text, without [CLS] and [SEP] (HF's {@code tokenizer.tokenize}).
     *
     * @param text any text
     * @return its word pieces
     */
    public List<String> tokenize(String text) {
        return tokenizer.tokenize(text);
    }

    /**
     * The model's longest input: {@code max_position_embeddings}, the default truncation length.
     *
     * @return tokens, [CLS] and [SEP] included
     */
    public int maxLength() {
        return maxPositions;
    }

    /**
     * Encodes texts, each truncated to {@link #maxLength()} tokens.
     *
     * @param texts the texts
     * @return one result per text, in order
     */
    public List<EncodedText> encode(List<String> texts) {
        return encode(texts, maxPositions);
    }

    /**
     * Encodes texts in forward passes of at most the batch size.
     *
     * @param texts the texts
     * @param maxLength truncate each text to this many tokens, [CLS] and [SEP] included
     * @return one result per text, in order
     */
    public List<EncodedText> encode(List<String> texts, int maxLength) {
        List<EncodedText> out = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += batchSize) {
            out.addAll(forward(tokenize(texts, from, maxLength)));
        }
        return out;
    }

    /**
     * One vector per text.
     *
     * @param texts the texts, each truncated to {@link #maxLength()} tokens
     * @param pooling how token states become one vector
     * @return [texts][hidden]
     */
    public float[][] embed(List<String> texts, Pooling pooling) {
        return embed(texts, Collections.nCopies(texts.size(), pooling));
    }

    /**
     * One vector per text, each with its own pooling (a server's requests share forward passes). A pass in which no
     * text asks for {@link Pooling#MEAN} reads [CLS] alone, so its last layer runs for [CLS] only; the vectors are
     * the same as {@link Pooling#apply} gives on {@link #encode}'s results.
     *
     * @param texts the texts, each truncated to {@link #maxLength()} tokens
     * @param poolings one per text
     * @return [texts][hidden]
     */
    public float[][] embed(List<String> texts, List<Pooling> poolings) {
        if (poolings.size() != texts.size()) {
            throw new IllegalArgumentException(poolings.size() + " poolings for " + texts.size() + " texts");
        }
        float[][] out = new float[texts.size()][];
        for (int from = 0; from < texts.size(); from += batchSize) {
            List<Encoding> batch = tokenize(texts, from, maxPositions);
            List<Pooling> pooling = poolings.subList(from, from + batch.size());
            if (pooling.contains(Pooling.MEAN)) {
                List<EncodedText> encoded = forward(batch);
                for (int i = 0; i < batch.size(); i++) {
                    out[from + i] = pooling.get(i).apply(encoded.get(i));
                }
                continue;
            }
            Padded padded = Padded.of(batch);
            BertModel.Output output = network.forwardFirstTokens(padded.ids(), padded.types(), padded.mask());
            float[] first = rows(output.lastHiddenState().get(NDArrayIndex.all(), NDArrayIndex.point(0),
                    NDArrayIndex.all()));
            float[] pooled = rows(output.poolerOutput());
            int h = first.length / batch.size();
            for (int i = 0; i < batch.size(); i++) {
                float[] source = pooling.get(i) == Pooling.CLS ? first : pooled;
                out[from + i] = Arrays.copyOfRange(source, i * h, (i + 1) * h);
            }
        }
        return out;
    }

    /** Before reading the directory: a bad batch size is the caller's error, whatever the directory holds. */
    private static void requireBatchSize(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
    }

    /** One padded batch as the network takes it. */
    private record Padded(int[][] ids, int[][] types, int[][] mask) {
        static Padded of(List<Encoding> batch) {
            int[][] ids = new int[batch.size()][];
            int[][] types = new int[batch.size()][];
            int[][] mask = new int[batch.size()][];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = batch.get(i).inputIds();
                types[i] = batch.get(i).tokenTypeIds();
                mask[i] = batch.get(i).attentionMask();
            }
            return new Padded(ids, types, mask);
        }
    }

    /** The texts of the batch that starts at {@code from}, tokenized and padded to the longest. */
    private List<Encoding> tokenize(List<String> texts, int from, int maxLength) {
        EncodeOptions options = new EncodeOptions(maxLength, EncodeOptions.Truncation.LONGEST_FIRST,
                EncodeOptions.Padding.LONGEST);
        return tokenizer.encodeBatch(texts.subList(from, Math.min(texts.size(), from + batchSize)), null, options);
    }

    /** An array's elements as floats in row-major order: one bulk copy, not an ND4J call per element. */
    private static float[] rows(INDArray a) {
        return a.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    private List<EncodedText> forward(List<Encoding> batch) {
        Padded padded = Padded.of(batch);
        int[][] ids = padded.ids();
        int[][] mask = padded.mask();
        BertModel.Output output = network.forward(ids, padded.types(), mask);
        INDArray hidden = output.lastHiddenState();
        int h = (int) hidden.size(2);
        int t = (int) hidden.size(1);
        float[] hiddenRows = rows(hidden);
        float[] pooledRows = rows(output.poolerOutput());
        List<EncodedText> out = new ArrayList<>(ids.length);
        for (int b = 0; b < ids.length; b++) {
            int length = 0;
            while (length < mask[b].length && mask[b][length] == 1) {
                length++;
            }
            float[][] states = new float[length][];
            for (int token = 0; token < length; token++) {
                int from = (b * t + token) * h;
                states[token] = Arrays.copyOfRange(hiddenRows, from, from + h);
            }
            float[] pool = Arrays.copyOfRange(pooledRows, b * h, b * h + h);
            out.add(new EncodedText(Arrays.copyOf(ids[b], length), states, pool));
        }
        return out;
    }
}

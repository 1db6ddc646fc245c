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
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

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
        return new Encoder((ids, types, mask) -> {
            try (BertModel.NoGrad noGrad = bert.noGrad()) {
                return bert.forward(ids, types, mask, false);
            }
        }, new BertTokenizer(model.vocab(), model.doLowerCase()), model.config().maxPositionEmbeddings, batchSize);
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
        EncodeOptions options = new EncodeOptions(maxLength, EncodeOptions.Truncation.LONGEST_FIRST,
                EncodeOptions.Padding.LONGEST);
        List<EncodedText> out = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += batchSize) {
            out.addAll(forward(tokenizer.encodeBatch(texts.subList(from, Math.min(texts.size(), from + batchSize)),
                    null, options)));
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
        List<EncodedText> encoded = encode(texts);
        float[][] out = new float[encoded.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = pooling.apply(encoded.get(i));
        }
        return out;
    }

    /** Before reading the directory: a bad batch size is the caller's error, whatever the directory holds. */
    private static void requireBatchSize(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
    }

    private List<EncodedText> forward(List<Encoding> batch) {
        int[][] ids = new int[batch.size()][];
        int[][] types = new int[batch.size()][];
        int[][] mask = new int[batch.size()][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = batch.get(i).inputIds();
            types[i] = batch.get(i).tokenTypeIds();
            mask[i] = batch.get(i).attentionMask();
        }
        BertModel.Output output = network.forward(ids, types, mask);
        INDArray hidden = output.lastHiddenState();
        INDArray pooled = output.poolerOutput();
        int h = (int) hidden.size(2);
        int t = (int) hidden.size(1);
        // one bulk copy each, not an ND4J call per element (B·T·H of them a batch)
        float[] hiddenRows = hidden.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] pooledRows = pooled.castTo(DataType.FLOAT).dup('c').data().asFloat();
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

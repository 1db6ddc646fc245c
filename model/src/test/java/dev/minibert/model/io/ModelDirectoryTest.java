package dev.minibert.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minibert.model.BertConfig;
import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ModelDirectoryTest {
    private static final BertConfig CONFIG = BertConfig.builder().vocabSize(6).hiddenSize(4).numHiddenLayers(1)
            .numAttentionHeads(2).intermediateSize(8).maxPositionEmbeddings(8).build();
    private static final Vocab VOCAB = Vocab.of(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "好"));

    @TempDir
    Path tmp;

    /** A few parameters with HF names and distinct, seeded values. */
    private static ParameterStore store(DataType type, long seed, boolean withClassifier) {
        ParameterStore s = new ParameterStore(type);
        s.add("bert.embeddings.word_embeddings.weight", 6, 4);
        s.add("bert.embeddings.LayerNorm.weight", 4);
        s.add("bert.encoder.layer.0.attention.self.query.weight", 4, 4);
        s.add("bert.encoder.layer.0.attention.self.query.bias", 4);
        if (withClassifier) {
            s.add("classifier.weight", 3, 4);
        }
        Nd4j.getRandom().setSeed(seed);
        for (Parameter p : s) {
            p.value().assign(Nd4j.randn(type, p.shape()));
        }
        return s;
    }

    @Test
    void saveThenOpenRoundTripsEverything() throws IOException {
        ParameterStore saved = store(DataType.FLOAT, 1, true);
        Path dir = tmp.resolve("model");
        ModelDirectory.save(dir, CONFIG, VOCAB, false, saved, Map.of("labels.json", List.of("neg", "neu", "pos")));

        ModelDirectory md = ModelDirectory.open(dir);

        assertThat(md.path()).isEqualTo(dir);
        assertThat(md.config()).isEqualTo(CONFIG);
        assertThat(md.vocab().tokens()).isEqualTo(VOCAB.tokens());
        assertThat(md.doLowerCase()).isFalse();
        assertThat(md.extraJson("labels.json").orElseThrow().toString()).isEqualTo("[\"neg\",\"neu\",\"pos\"]");
        assertThat(md.extraJson("absent.json")).isEmpty();
        assertThat(md.tensors().keySet()).containsExactlyElementsOf(
                saved.all().stream().map(Parameter::name).toList());
        assertThat(SafeTensors.metadata(dir.resolve(ModelDirectory.WEIGHTS))).containsEntry("format", "pt");
        assertThat(Files.readString(dir.resolve(ModelDirectory.TOKENIZER_CONFIG)))
                .contains("\"do_lower_case\" : false").contains("\"tokenizer_class\" : \"BertTokenizer\"");

        ParameterStore loaded = store(DataType.FLOAT, 2, true);
        ModelDirectory.LoadReport report = md.loadInto(loaded, name -> false);

        assertThat(report.loaded()).hasSize(5);
        assertThat(report.initializedFresh()).isEmpty();
        assertThat(report.unused()).isEmpty();
        for (Parameter p : saved) {
            assertThat(loaded.get(p.name()).value()).as(p.name()).isEqualTo(p.value());
        }
    }

    @Test
    void lowerCaseDefaultsToTrueWithoutTokenizerConfig() throws IOException {
        Path dir = tmp.resolve("m");
        ModelDirectory.save(dir, CONFIG, VOCAB, false, store(DataType.FLOAT, 1, false), Map.of());
        Files.delete(dir.resolve(ModelDirectory.TOKENIZER_CONFIG));

        assertThat(ModelDirectory.open(dir).doLowerCase()).isTrue();
    }

    @Test
    void doubleWeightsAreSavedAsF64AndCastIntoAFloatStore() throws IOException {
        ParameterStore saved = store(DataType.DOUBLE, 3, false);
        Path dir = tmp.resolve("m");
        ModelDirectory.save(dir, CONFIG, VOCAB, true, saved, Map.of());
        ModelDirectory md = ModelDirectory.open(dir);
        assertThat(md.tensors().values()).allMatch(t -> t.dataType() == DataType.DOUBLE);

        ParameterStore floats = store(DataType.FLOAT, 4, false);
        md.loadInto(floats, n -> false);

        for (Parameter p : saved) {
            assertThat(floats.get(p.name()).value()).isEqualTo(p.value().castTo(DataType.FLOAT));
        }
    }

    @Test
    void missingTensorIsNamedUnlessAllowedToBeMissing() throws IOException {
        Path dir = tmp.resolve("m");
        ModelDirectory.save(dir, CONFIG, VOCAB, true, store(DataType.FLOAT, 1, false), Map.of());
        ModelDirectory md = ModelDirectory.open(dir);
        ParameterStore withHead = store(DataType.FLOAT, 5, true);
        INDArray freshHead = withHead.get("classifier.weight").value().dup();
        INDArray before = withHead.get("bert.embeddings.LayerNorm.weight").value().dup();

        assertThatThrownBy(() -> md.loadInto(withHead, n -> false))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(dir.resolve("model.safetensors").toString())
                .hasMessageContaining("missing tensors [classifier.weight]");
        assertThat(withHead.get("bert.embeddings.LayerNorm.weight").value()).isEqualTo(before);

        ModelDirectory.LoadReport report = md.loadInto(withHead, n -> n.startsWith("classifier."));

        assertThat(report.initializedFresh()).containsExactly("classifier.weight");
        assertThat(report.loaded()).hasSize(4).doesNotContain("classifier.weight");
        assertThat(withHead.get("classifier.weight").value()).isEqualTo(freshHead);
        assertThat(withHead.get("bert.embeddings.LayerNorm.weight").value())
                .isEqualTo(md.tensors().get("bert.embeddings.LayerNorm.weight"));
    }

    @Test
    void shapeMismatchNamesTensorAndBothShapesAndLoadsNothing() throws IOException {
        Path dir = tmp.resolve("m");
        ModelDirectory.save(dir, CONFIG, VOCAB, true, store(DataType.FLOAT, 1, false), Map.of());
        ParameterStore other = new ParameterStore(DataType.FLOAT);
        other.add("bert.embeddings.LayerNorm.weight", 4).value().assign(9);
        other.add("bert.encoder.layer.0.attention.self.query.weight", 4, 2);

        assertThatThrownBy(() -> ModelDirectory.open(dir).loadInto(other, n -> false))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("bert.encoder.layer.0.attention.self.query.weight has shape [4, 4] in the file"
                        + " but [4, 2] in the model");
        assertThat(other.get("bert.embeddings.LayerNorm.weight").value().getFloat(0)).isEqualTo(9f);
    }

    @Test
    void fileTensorsTheStoreLacksAreListedAsUnused() throws IOException {
        Path dir = tmp.resolve("m");
        ModelDirectory.save(dir, CONFIG, VOCAB, true, store(DataType.FLOAT, 1, true), Map.of());
        ParameterStore encoderOnly = new ParameterStore(DataType.FLOAT);
        encoderOnly.add("bert.embeddings.LayerNorm.weight", 4);

        ModelDirectory.LoadReport report = ModelDirectory.open(dir).loadInto(encoderOnly, n -> false);

        assertThat(report.loaded()).containsExactly("bert.embeddings.LayerNorm.weight");
        assertThat(report.unused()).containsExactly("bert.embeddings.word_embeddings.weight",
                "bert.encoder.layer.0.attention.self.query.weight", "bert.encoder.layer.0.attention.self.query.bias",
                "classifier.weight");
    }

    /**
     * Files as HF hubs carry them: bert-base-chinese's config keys, TensorFlow-era LayerNorm names, a bare
     * {@code BertModel} without the {@code bert.} prefix, an int64 {@code position_ids} buffer. HF renames the first two
     * on load; so must we.
     */
    @Test
    void hfCheckpointNamesLoadAsHfLoadsThem() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("hf"));
        Files.writeString(dir.resolve(ModelDirectory.CONFIG), """
                {"architectures": ["BertForMaskedLM"], "attention_probs_dropout_prob": 0.1, "directionality": "bidi",
                 "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "hidden_size": 4, "initializer_range": 0.02,
                 "intermediate_size": 8, "layer_norm_eps": 1e-12, "max_position_embeddings": 8, "model_type": "bert",
                 "num_attention_heads": 2, "num_hidden_layers": 1, "pad_token_id": 0, "pooler_fc_size": 768,
                 "pooler_num_attention_heads": 12, "pooler_num_fc_layers": 3, "pooler_size_per_head": 128,
                 "pooler_type": "first_token_transform", "type_vocab_size": 2, "vocab_size": 6}""");
        VOCAB.write(dir.resolve(ModelDirectory.VOCAB));
        INDArray gamma = Nd4j.createFromArray(1f, 2f, 3f, 4f);
        INDArray beta = Nd4j.createFromArray(-1f, -2f, -3f, -4f);
        Map<String, INDArray> file = new LinkedHashMap<>();
        file.put("embeddings.LayerNorm.gamma", gamma);
        file.put("embeddings.LayerNorm.beta", beta);
        file.put("embeddings.position_ids", Nd4j.createFromArray(new long[][] {{0, 1, 2, 3, 4, 5, 6, 7}}));
        SafeTensors.write(dir.resolve(ModelDirectory.WEIGHTS), file, Map.of());
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        store.add("bert.embeddings.LayerNorm.weight", 4);
        store.add("bert.embeddings.LayerNorm.bias", 4);

        ModelDirectory opened = ModelDirectory.open(dir);
        ModelDirectory.LoadReport report = opened.loadInto(store, n -> false);

        assertThat(opened.config().hiddenSize).isEqualTo(4);
        assertThat(report.loaded()).containsExactly("bert.embeddings.LayerNorm.weight", "bert.embeddings.LayerNorm.bias");
        assertThat(report.unused()).containsExactly("bert.embeddings.position_ids");
        assertThat(store.get("bert.embeddings.LayerNorm.weight").value()).isEqualTo(gamma);
        assertThat(store.get("bert.embeddings.LayerNorm.bias").value()).isEqualTo(beta);
    }

    @Test
    void saveReplacesTheSetItWroteKeepsOtherFilesAndLeavesNoTempFiles() throws IOException {
        Path dir = tmp.resolve("model");
        ModelDirectory.save(dir, CONFIG, VOCAB, true, store(DataType.FLOAT, 1, true), Map.of("labels.json", List.of("a")));
        Files.writeString(dir.resolve("notes.txt"), "mine");
        ParameterStore second = store(DataType.FLOAT, 7, false);

        ModelDirectory.save(dir, CONFIG, VOCAB, false, second, Map.of());

        ModelDirectory md = ModelDirectory.open(dir);
        assertThat(md.doLowerCase()).isFalse();
        assertThat(md.tensors()).doesNotContainKey("classifier.weight");
        assertThat(md.tensors().get("bert.embeddings.LayerNorm.weight"))
                .isEqualTo(second.get("bert.embeddings.LayerNorm.weight").value());
        assertThat(dir.resolve("labels.json")).as("the old set's file the new one lacks").doesNotExist();
        assertThat(dir.resolve("notes.txt")).hasContent("mine");
        try (Stream<Path> siblings = Files.list(tmp)) {
            assertThat(siblings).containsExactly(dir);
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "config.json", "vocab.txt", "model.safetensors", "tokenizer_config.json", "notes.txt",
                    OutputMarker.FILE, RunLock.FILE);
        }
        assertThat(OutputMarker.read(dir).modelFiles()).containsExactlyInAnyOrder(
                "config.json", "vocab.txt", "model.safetensors", "tokenizer_config.json");
    }

    @Test
    void saveRefusesAFolderMinibertDidNotWriteAndChangesNothing() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("home"));
        Files.writeString(dir.resolve("notes.txt"), "mine");
        Files.createDirectory(dir.resolve("Documents"));

        assertThatThrownBy(() -> ModelDirectory.save(dir, CONFIG, VOCAB, true, store(DataType.FLOAT, 1, false),
                Map.of())).hasMessage(dir + " is not empty and is not a minibert output folder (no .minibert.json); "
                + "nothing was changed: choose an empty or new folder");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("notes.txt", "Documents");
        }
        assertThat(dir.resolve("notes.txt")).hasContent("mine");
    }

    @Test
    void savedFilesGetTheUmaskPermissionsOfOrdinaryFilesNotOwnerOnlyTempOnes() throws IOException {
        Path dir = tmp.resolve("m");
        ModelDirectory.save(dir, CONFIG, VOCAB, true, store(DataType.FLOAT, 1, false), Map.of());
        Path plainFile = Files.createFile(tmp.resolve("plain"));
        Path plainDir = Files.createDirectory(tmp.resolve("plainDir"));

        assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(Files.getPosixFilePermissions(plainDir));
        for (String f : List.of("config.json", "vocab.txt", "model.safetensors", "tokenizer_config.json")) {
            assertThat(Files.getPosixFilePermissions(dir.resolve(f))).as(f)
                    .isEqualTo(Files.getPosixFilePermissions(plainFile));
        }
    }

    @Test
    void openNamesTheMissingFile() throws IOException {
        Path dir = tmp.resolve("m");
        ModelDirectory.save(dir, CONFIG, VOCAB, true, store(DataType.FLOAT, 1, false), Map.of());
        Files.delete(dir.resolve("vocab.txt"));

        assertThatThrownBy(() -> ModelDirectory.open(dir)).isInstanceOf(IOException.class)
                .hasMessage(dir + ": missing vocab.txt");
        assertThatThrownBy(() -> ModelDirectory.open(tmp.resolve("nope"))).isInstanceOf(IOException.class)
                .hasMessageContaining("nope: not a model directory");
    }

    @Test
    void rejectsInconsistentArguments() {
        Vocab big = Vocab.of(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "f", "g"));
        assertThatThrownBy(() -> ModelDirectory.save(tmp.resolve("m"), CONFIG, big, true,
                store(DataType.FLOAT, 1, false), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("7 tokens").hasMessageContaining("6");
        assertThatThrownBy(() -> ModelDirectory.save(tmp.resolve("m"), CONFIG, VOCAB, true,
                store(DataType.FLOAT, 1, false), Map.of("config.json", 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("config.json");
        assertThat(tmp.resolve("m")).doesNotExist();
    }
}

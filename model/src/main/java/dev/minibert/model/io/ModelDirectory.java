package dev.minibert.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.minibert.model.BertConfig;
import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A HuggingFace-style model folder: {@code config.json}, {@code vocab.txt}, {@code tokenizer_config.json}
 * and {@code model.safetensors} with HF tensor names, plus optional JSON files (e.g. {@code labels.json}).
 */
public final class ModelDirectory {
    public static final String CONFIG = "config.json";
    public static final String VOCAB = "vocab.txt";
    public static final String WEIGHTS = "model.safetensors";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path path;
    private final BertConfig config;
    private final Vocab vocab;
    private final boolean doLowerCase;
    private Map<String, INDArray> tensors;

    private ModelDirectory(Path path, BertConfig config, Vocab vocab, boolean doLowerCase) {
        this.path = path;
        this.config = config;
        this.vocab = vocab;
        this.doLowerCase = doLowerCase;
    }

    /**
     * Writes a complete directory next to {@code dir}, then swaps it into place, so a crash leaves
     * either the old directory or the new one, never a half-written mix.
     */
    public static void save(Path dir, BertConfig config, Vocab vocab, boolean doLowerCase, ParameterStore store,
                            Map<String, Object> extraJson) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + abs.getFileName() + ".tmp");
        Path old = parent.resolve("." + abs.getFileName() + ".old");
        try {
            saveFiles(tmp, config, vocab, doLowerCase, store, extraJson);
            AtomicFiles.deleteRecursively(old);
            if (Files.exists(abs)) {
                Files.move(abs, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.deleteRecursively(old);
        } finally {
            AtomicFiles.deleteRecursively(tmp);
        }
    }

    /**
     * Writes the model files into an existing folder that holds other things too (a finetuning run's
     * output); each file is replaced atomically, weights last, so readers never see a torn file.
     */
    public static void saveFiles(Path dir, BertConfig config, Vocab vocab, boolean doLowerCase, ParameterStore store,
                                 Map<String, Object> extraJson) throws IOException {
        Files.createDirectories(dir);
        AtomicFiles.writeString(dir.resolve(CONFIG), config.toJsonString());
        Path vocabTmp = Files.createTempFile(dir, ".vocab", ".tmp");
        try {
            vocab.write(vocabTmp);
            Files.move(vocabTmp, dir.resolve(VOCAB), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(vocabTmp);
        }
        Map<String, Object> tokenizerConfig = new LinkedHashMap<>();
        tokenizerConfig.put("do_lower_case", doLowerCase);
        tokenizerConfig.put("tokenizer_class", "BertTokenizer");
        AtomicFiles.writeString(dir.resolve(TOKENIZER_CONFIG), JSON.writeValueAsString(tokenizerConfig));
        for (Map.Entry<String, Object> e : extraJson.entrySet()) {
            AtomicFiles.writeString(dir.resolve(e.getKey()), JSON.writeValueAsString(e.getValue()));
        }
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        for (Parameter p : store) {
            tensors.put(p.name(), p.value());
        }
        SafeTensors.write(dir.resolve(WEIGHTS), tensors, Map.of("format", "pt"));
    }

    /** Reads config, vocabulary and tokenizer settings; the weights are read on first use. */
    public static ModelDirectory open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": no such model directory");
        }
        for (String required : List.of(CONFIG, VOCAB, WEIGHTS)) {
            if (!Files.isRegularFile(dir.resolve(required))) {
                throw new IOException(dir + ": missing " + required + " (a model directory holds "
                        + CONFIG + ", " + VOCAB + " and " + WEIGHTS + ")");
            }
        }
        BertConfig config = BertConfig.read(dir.resolve(CONFIG));
        Vocab vocab = Vocab.read(dir.resolve(VOCAB));
        boolean lower = true;
        Path tokenizerConfig = dir.resolve(TOKENIZER_CONFIG);
        if (Files.isRegularFile(tokenizerConfig)) {
            JsonNode node = JSON.readTree(tokenizerConfig.toFile());
            lower = node.path("do_lower_case").asBoolean(true);
        }
        if (vocab.size() != config.vocabSize) {
            throw new IOException(dir + ": " + VOCAB + " has " + vocab.size() + " tokens but " + CONFIG
                    + " says vocab_size " + config.vocabSize);
        }
        return new ModelDirectory(dir, config, vocab, lower);
    }

    public Path path() {
        return path;
    }

    public BertConfig config() {
        return config;
    }

    public Vocab vocab() {
        return vocab;
    }

    public boolean doLowerCase() {
        return doLowerCase;
    }

    public Map<String, INDArray> tensors() throws IOException {
        if (tensors == null) {
            tensors = SafeTensors.read(path.resolve(WEIGHTS));
        }
        return tensors;
    }

    /**
     * Copies every tensor the store has from the file, cast to the store's type. A parameter absent from
     * the file is an error naming it unless {@code mayBeMissing} accepts it (it keeps its current, fresh
     * value); a shape mismatch is always an error; file tensors the store lacks are reported as unused.
     */
    public LoadReport loadInto(ParameterStore store, Predicate<String> mayBeMissing) {
        Map<String, INDArray> file;
        try {
            file = tensors();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> fresh = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Parameter p : store) {
            INDArray t = file.get(p.name());
            if (t == null) {
                (mayBeMissing.test(p.name()) ? fresh : missing).add(p.name());
            } else if (!Arrays.equals(t.shape(), p.shape())) {
                throw new IllegalArgumentException(path.resolve(WEIGHTS) + ": tensor " + p.name() + " has shape "
                        + Arrays.toString(t.shape()) + " but the model expects " + Arrays.toString(p.shape()));
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(path.resolve(WEIGHTS) + ": missing tensor(s) " + missing);
        }
        for (Parameter p : store) {
            INDArray t = file.get(p.name());
            if (t != null) {
                p.value().assign(t.castTo(p.value().dataType()));
            }
        }
        List<String> unused = new ArrayList<>();
        for (String name : file.keySet()) {
            if (!store.contains(name)) {
                unused.add(name);
            }
        }
        return new LoadReport(fresh, unused);
    }
}

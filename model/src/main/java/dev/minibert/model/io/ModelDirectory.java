package dev.minibert.model.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.minibert.model.BertConfig;
import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A HuggingFace-style model folder: {@code config.json}, {@code vocab.txt}, {@code model.safetensors},
 * {@code tokenizer_config.json} and optional extra JSON files such as {@code labels.json}.
 */
public final class ModelDirectory {
    public static final String CONFIG = "config.json";
    public static final String VOCAB = "vocab.txt";
    public static final String WEIGHTS = "model.safetensors";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    private static final Set<String> RESERVED = Set.of(CONFIG, VOCAB, WEIGHTS, TOKENIZER_CONFIG);
    /** The marker kind of a plain model folder; a finetuning run folder is a model folder too. */
    public static final String MODEL_KIND = "model";
    public static final String FINETUNE_KIND = "finetune";
    /** System property for crash tests: the step of a save's swap at which it stops and waits to be killed. */
    public static final String PAUSE_PROPERTY = ModelFileSwap.PAUSE_PROPERTY;
    private static final Set<String> MODEL_KINDS = Set.of(MODEL_KIND, FINETUNE_KIND);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path path;
    private final BertConfig config;
    private final Vocab vocab;
    private final boolean doLowerCase;
    private final Map<String, INDArray> tensors;

    private ModelDirectory(Path path, BertConfig config, Vocab vocab, boolean doLowerCase, Map<String, INDArray> tensors) {
        this.path = path;
        this.config = config;
        this.vocab = vocab;
        this.doLowerCase = doLowerCase;
        this.tensors = tensors;
    }

    /** What {@link #loadInto} did: parameters copied, kept at their fresh init, and file tensors nobody asked for. */
    public record LoadReport(List<String> loaded, List<String> initializedFresh, List<String> unused) {
    }

    /**
     * Writes the model files into {@code dir} and swaps them in as one set ({@link ModelFileSwap}): a crash at any
     * point leaves the previous set or the new one. {@code dir} must be absent, empty, or a minibert model folder
     * (its {@link OutputMarker}); only the files minibert wrote there are replaced or removed, anything else stays.
     *
     * @param extraJson further files, file name (ending in .json) to any Jackson-serializable value
     */
    public static void save(Path dir, BertConfig config, Vocab vocab, boolean doLowerCase, ParameterStore store,
            Map<String, Object> extraJson) throws IOException {
        checkArguments(config, vocab, extraJson);
        Path target = dir.toAbsolutePath().normalize();
        OutputFolder.requireOwn(target, MODEL_KINDS);
        Files.createDirectories(target);
        try (RunLock lock = RunLock.acquire(target)) {
            ModelFileSwap.recover(target);
            OutputMarker old = OutputFolder.requireOwn(target, MODEL_KINDS);
            Path staging = OutputFolder.stagingFolder(target);
            try {
                List<String> files = writeFiles(staging, config, vocab, doLowerCase, store, extraJson);
                List<String> remove = old == null ? List.of()
                        : old.modelFiles().stream().filter(f -> !files.contains(f)).toList();
                OutputMarker marker = old == null ? new OutputMarker(MODEL_KIND, List.of(), files)
                        : new OutputMarker(old.kind(), old.files(), files);
                AtomicFiles.write(staging.resolve(OutputMarker.FILE), marker.toJson());
                List<String> published = new ArrayList<>(files);
                published.add(OutputMarker.FILE); // last: the marker names the set only once it is all there
                ModelFileSwap.commit(target, staging, published, remove);
            } finally {
                if (!ModelFileSwap.pending(target)) {
                    AtomicFiles.deleteRecursively(staging);
                }
            }
        }
    }

    private static void checkArguments(BertConfig config, Vocab vocab, Map<String, Object> extraJson) {
        if (vocab.size() > config.vocabSize) {
            throw new IllegalArgumentException("vocab has " + vocab.size() + " tokens but config vocab_size is "
                    + config.vocabSize);
        }
        for (String name : extraJson.keySet()) {
            if (RESERVED.contains(name) || !name.endsWith(".json") || name.contains("/") || name.contains("\\")
                    || name.startsWith(".")) {
                throw new IllegalArgumentException("extra JSON file name \"" + name
                        + "\" must be a plain *.json name other than " + RESERVED);
            }
        }
    }

    /** Writes and fsyncs the model files into {@code tmp}; returns their names. */
    private static List<String> writeFiles(Path tmp, BertConfig config, Vocab vocab, boolean doLowerCase,
            ParameterStore store, Map<String, Object> extraJson) throws IOException {
        Files.writeString(tmp.resolve(CONFIG), config.toJsonString(), StandardCharsets.UTF_8);
        vocab.write(tmp.resolve(VOCAB));
        ObjectNode tok = JSON.createObjectNode();
        tok.put("do_lower_case", doLowerCase);
        tok.put("tokenizer_class", "BertTokenizer");
        writeJson(tmp.resolve(TOKENIZER_CONFIG), tok);
        for (Map.Entry<String, Object> e : extraJson.entrySet()) {
            writeJson(tmp.resolve(e.getKey()), e.getValue());
        }
        Map<String, INDArray> weights = new LinkedHashMap<>();
        for (Parameter p : store) {
            weights.put(p.name(), p.value());
        }
        SafeTensors.write(tmp.resolve(WEIGHTS), weights, Map.of("format", "pt"));
        syncAll(tmp);
        List<String> names = new ArrayList<>(List.of(CONFIG, VOCAB, TOKENIZER_CONFIG));
        names.addAll(extraJson.keySet());
        names.add(WEIGHTS);
        return names;
    }

    private static void writeJson(Path file, Object value) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(value) + "\n", StandardCharsets.UTF_8);
    }

    /** fsyncs every file and then the folder itself, so the rename that follows publishes durable content. */
    private static void syncAll(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                AtomicFiles.syncFile(f);
            }
        }
        AtomicFiles.syncDirectory(dir);
    }

    /** Reads config, vocab, tokenizer settings and all tensors of a model folder. */
    public static ModelDirectory open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": not a model directory (does not exist or is not a directory)");
        }
        if (ModelFileSwap.pending(dir)) { // a save was killed after its commit: finish it before reading
            try (RunLock lock = RunLock.acquire(dir)) {
                ModelFileSwap.recover(dir);
            }
        }
        BertConfig config = BertConfig.read(required(dir, CONFIG));
        Vocab vocab = Vocab.read(required(dir, VOCAB));
        Map<String, INDArray> tensors = HfCheckpointNames.normalize(SafeTensors.read(required(dir, WEIGHTS)));
        boolean lower = true;
        Path tokFile = dir.resolve(TOKENIZER_CONFIG);
        if (Files.exists(tokFile)) {
            JsonNode v = readJson(tokFile).get("do_lower_case");
            if (v != null) {
                if (!v.isBoolean()) {
                    throw new IOException(tokFile + ": do_lower_case must be true or false, got " + v);
                }
                lower = v.booleanValue();
            }
        }
        return new ModelDirectory(dir, config, vocab, lower, tensors);
    }

    private static Path required(Path dir, String file) throws IOException {
        Path p = dir.resolve(file);
        if (!Files.isRegularFile(p)) {
            throw new IOException(dir + ": missing " + file);
        }
        return p;
    }

    private static JsonNode readJson(Path file) throws IOException {
        try {
            return JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
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

    /** The file's tensors in file order, in the file's data types. */
    public Map<String, INDArray> tensors() {
        return tensors;
    }

    /** An extra JSON file written by {@link #save} (e.g. {@code labels.json}), if present. */
    public Optional<JsonNode> extraJson(String fileName) throws IOException {
        Path p = path.resolve(fileName);
        return Files.exists(p) ? Optional.of(readJson(p)) : Optional.empty();
    }

    /**
     * Copies every tensor the store has from the file, cast to the store's data type. Everything is
     * checked before anything is copied, so a failed load leaves the store untouched.
     *
     * @param mayBeMissing store parameters allowed to be absent from the file (e.g. a fresh
     *        classifier head); they keep their current values
     */
    public LoadReport loadInto(ParameterStore store, Predicate<String> mayBeMissing) throws IOException {
        List<String> loaded = new ArrayList<>();
        List<String> fresh = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> wrongShape = new ArrayList<>();
        for (Parameter p : store) {
            INDArray t = tensors.get(p.name());
            if (t == null) {
                (mayBeMissing.test(p.name()) ? fresh : missing).add(p.name());
            } else if (!Arrays.equals(t.shape(), p.shape())) {
                wrongShape.add(p.name() + " has shape " + Arrays.toString(t.shape()) + " in the file but "
                        + Arrays.toString(p.shape()) + " in the model");
            } else {
                loaded.add(p.name());
            }
        }
        if (!missing.isEmpty() || !wrongShape.isEmpty()) {
            StringBuilder msg = new StringBuilder(path.resolve(WEIGHTS).toString()).append(": cannot load:");
            if (!missing.isEmpty()) {
                msg.append(" missing tensors ").append(missing).append(';');
            }
            for (String s : wrongShape) {
                msg.append(' ').append(s).append(';');
            }
            throw new IOException(msg.substring(0, msg.length() - 1));
        }
        for (String name : loaded) {
            store.get(name).value().assign(tensors.get(name).castTo(store.dataType()));
        }
        List<String> unused = tensors.keySet().stream().filter(n -> !store.contains(n)).toList();
        return new LoadReport(List.copyOf(loaded), List.copyOf(fresh), unused);
    }
}

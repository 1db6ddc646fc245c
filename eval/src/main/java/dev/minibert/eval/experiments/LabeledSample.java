package dev.minibert.eval.experiments;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.finetune.ClassificationDataset;
import dev.minibert.finetune.DatasetFormat;
import dev.minibert.finetune.Example;
import dev.minibert.finetune.LabelMap;
import dev.minibert.model.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A seeded random sample of a labeled set (columns {@code text} and {@code label}), written as JSONL so a
 * finetuning run fits the budget. Dev rows keep only labels that the training sample has.
 */
final class LabeledSample {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** @param devMajorityShare the share of the dev sample labeled with the training sample's most frequent label */
    record Files(Path train, Path dev, double devMajorityShare) {
    }

    private LabeledSample() {
    }

    static Files write(Path train, Path dev, int trainRows, int devRows, long seed, Path dir) throws IOException {
        ClassificationDataset full = ClassificationDataset.load(train, DatasetFormat.single(train), null, false);
        LabelMap labels = full.labels();
        List<Example> trainSample = sample(full.examples(), trainRows, new Random(seed));
        Set<Integer> seen = trainSample.stream().map(Example::label).collect(Collectors.toSet());
        List<Example> devKept = ClassificationDataset.load(dev, DatasetFormat.single(dev), labels, false).examples()
                .stream().filter(e -> seen.contains(e.label())).toList();
        List<Example> devSample = sample(devKept, devRows, new Random(seed + 1));
        int majority = trainSample.stream().collect(Collectors.groupingBy(Example::label, TreeMap::new,
                Collectors.counting())).entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        double majorityShare = devSample.isEmpty() ? Double.NaN
                : (double) devSample.stream().filter(e -> e.label() == majority).count() / devSample.size();
        Files out = new Files(dir.resolve("train.jsonl"), dir.resolve("dev.jsonl"), majorityShare);
        writeJsonl(out.train(), trainSample, labels);
        writeJsonl(out.dev(), devSample, labels);
        return out;
    }

    private static List<Example> sample(List<Example> all, int rows, Random random) {
        List<Example> shuffled = new ArrayList<>(all);
        Collections.shuffle(shuffled, random);
        return shuffled.subList(0, Math.min(rows, shuffled.size()));
    }

    private static void writeJsonl(Path file, List<Example> examples, LabelMap labels) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Example e : examples) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("text", e.textA());
            row.put("label", labels.name(e.label()));
            sb.append(JSON.writeValueAsString(row)).append('\n');
        }
        AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }
}

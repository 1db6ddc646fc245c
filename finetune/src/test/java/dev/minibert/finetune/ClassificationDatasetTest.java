package dev.minibert.finetune;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClassificationDatasetTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.write(dir.resolve(name), text.getBytes(StandardCharsets.UTF_8));
    }

    private static ClassificationDataset train(Path file, DatasetFormat format) {
        return ClassificationDataset.load(file, format, null, false);
    }

    @Test
    void csvWithHeaderHandlesRfc4180Quoting() throws IOException {
        Path f = write("train.csv", "text,label\n"
            + "我们 喜欢,pos\n"
            + "\"hello, world\",neg\n"
            + "\"she said \"\"hi\"\"\",pos\n"
            + "\"two\nlines\",neg\n"
            + "plain again,neg\n");
        ClassificationDataset ds = train(f, DatasetFormat.single(f));
        assertThat(ds.labels().names()).containsExactly("neg", "pos");
        assertThat(ds.examples()).containsExactly(
            new Example("我们 喜欢", null, 1, 2),
            new Example("hello, world", null, 0, 3),
            new Example("she said \"hi\"", null, 1, 4),
            new Example("two\nlines", null, 0, 5),
            new Example("plain again", null, 0, 7));
        assertThat(ds.skipped()).isZero();
    }

    @Test
    void csvWithoutHeaderUsesPositionalColumns() throws IOException {
        Path f = write("train.csv", "good film,1\nbad film,0\n\nok film,2\n");
        ClassificationDataset ds = train(f, DatasetFormat.single(f));
        assertThat(ds.examples()).extracting(Example::textA).containsExactly("good film", "bad film", "ok film");
        assertThat(ds.examples()).extracting(Example::label).containsExactly(1, 0, 2);
        assertThat(ds.examples()).extracting(Example::line).containsExactly(1, 2, 4);
    }

    @Test
    void headerNamesConfiguredColumnsInAnyOrder() throws IOException {
        Path f = write("train.csv", "id,category,sentence\n7,b,first one\n8,a,second one\n");
        DatasetFormat format = new DatasetFormat(DatasetFormat.Kind.CSV, "sentence", null, "category", null);
        ClassificationDataset ds = train(f, format);
        assertThat(ds.examples()).containsExactly(new Example("first one", null, 1, 2), new Example("second one", null, 0, 3));
        DatasetFormat missing = new DatasetFormat(DatasetFormat.Kind.CSV, "sentence", null, "category", true);
        Path g = write("other.csv", "id,sentence\n7,first one\n");
        assertThatThrownBy(() -> train(g, missing)).hasMessageContaining(g + ":1").hasMessageContaining("'category'");
    }

    @Test
    void tsvPairsWithAndWithoutHeader() throws IOException {
        Path withHeader = write("train.tsv", "text_a\ttext_b\tlabel\nhow old\tnot old\tcontradiction\nsky \"blue\"\tsky\tentailment\n");
        ClassificationDataset ds = train(withHeader, DatasetFormat.pair(withHeader));
        assertThat(ds.labels().names()).containsExactly("contradiction", "entailment");
        assertThat(ds.examples()).containsExactly(new Example("how old", "not old", 0, 2),
            new Example("sky \"blue\"", "sky", 1, 3));
        Path noHeader = write("dev.tsv", "a b\tc d\tentailment\n");
        ClassificationDataset dev = ClassificationDataset.load(noHeader, DatasetFormat.pair(noHeader), ds.labels(), false);
        assertThat(dev.examples()).containsExactly(new Example("a b", "c d", 1, 1));
        assertThat(dev.labels()).isSameAs(ds.labels());
    }

    @Test
    void jsonlSingleAndPairWithNumericLabels() throws IOException {
        Path single = write("train.jsonl", "{\"text\": \"我们 喜欢\", \"label\": 10}\n\n{\"label\": 2, \"text\": \"ab\"}\n{\"text\": \"cd\", \"label\": \"0\"}\n");
        ClassificationDataset ds = train(single, DatasetFormat.single(single));
        // integer labels sort numerically, not as strings
        assertThat(ds.labels().names()).containsExactly("0", "2", "10");
        assertThat(ds.examples()).containsExactly(new Example("我们 喜欢", null, 2, 1), new Example("ab", null, 1, 3),
            new Example("cd", null, 0, 4));
        Path pair = write("pair.jsonl", "{\"q\": \"who\", \"p\": \"me\", \"y\": \"yes\"}\n");
        DatasetFormat format = new DatasetFormat(DatasetFormat.Kind.JSONL, "q", "p", "y", null);
        assertThat(train(pair, format).examples()).containsExactly(new Example("who", "me", 0, 1));
    }

    @Test
    void bomAndCrlfAreTolerated() throws IOException {
        Path f = write("train.csv", "\uFEFFtext,label\r\n\"multi\r\nline\",b\r\nx y,a\r\n");
        ClassificationDataset ds = train(f, DatasetFormat.single(f));
        assertThat(ds.examples()).containsExactly(new Example("multi\nline", null, 1, 2), new Example("x y", null, 0, 4));
    }

    private Path badCsv() throws IOException {
        byte[] head = "text,label\nfine,a\ntoo,many,columns\n,a\nno label,\n".getBytes(StandardCharsets.UTF_8);
        byte[] bad = {'b', (byte) 0xFF, ',', 'a', '\n'};
        byte[] tail = "\"ok\"x,b\nlast,b\n\"never closed,a\n".getBytes(StandardCharsets.UTF_8);
        Path f = dir.resolve("bad.csv");
        Files.write(f, head);
        Files.write(f, bad, java.nio.file.StandardOpenOption.APPEND);
        Files.write(f, tail, java.nio.file.StandardOpenOption.APPEND);
        return f;
    }

    @Test
    void badRowsFailTheLoadNamingFileAndLine() throws IOException {
        Path f = badCsv();
        assertThatThrownBy(() -> train(f, DatasetFormat.single(f)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("6 bad row(s)")
            .hasMessageContaining(f + ":3: 3 columns, expected 2")
            .hasMessageContaining(f + ":4: empty text")
            .hasMessageContaining(f + ":5: empty label")
            .hasMessageContaining(f + ":6: invalid UTF-8")
            .hasMessageContaining(f + ":7: unexpected 'x' after a closing quote")
            // only the first five are listed
            .hasMessageNotContaining("unterminated");
    }

    @Test
    void skipModeDropsBadRowsAndCountsThem() throws IOException {
        Path f = badCsv();
        ClassificationDataset ds = ClassificationDataset.load(f, DatasetFormat.single(f), null, true);
        assertThat(ds.examples()).containsExactly(new Example("fine", null, 0, 2), new Example("last", null, 1, 8));
        assertThat(ds.skipped()).isEqualTo(6);
        assertThat(ds.problems()).last().asString().isEqualTo(f + ":9: unterminated quoted field");
    }

    @Test
    void devRowsWithUnknownLabelsOrBrokenJsonAreBadRows() throws IOException {
        LabelMap labels = LabelMap.of(List.of("neg", "pos"));
        Path f = write("dev.jsonl", "{\"text\": \"a\", \"label\": \"pos\"}\n{\"text\": \"b\", \"label\": \"meh\"}\n"
            + "{\"text\": \"c\"\n{\"text\": [\"d\"], \"label\": \"neg\"}\n[1, 2]\n");
        assertThatThrownBy(() -> ClassificationDataset.load(f, DatasetFormat.single(f), labels, false))
            .hasMessageContaining(f + ":2: unknown label 'meh' (known: neg, pos)")
            .hasMessageContaining(f + ":3: invalid JSON")
            .hasMessageContaining(f + ":4: missing field 'text'")
            .hasMessageContaining(f + ":5: not a JSON object");
        ClassificationDataset ds = ClassificationDataset.load(f, DatasetFormat.single(f), labels, true);
        assertThat(ds.examples()).containsExactly(new Example("a", null, 1, 1));
        assertThat(ds.skipped()).isEqualTo(4);
    }

    @Test
    void aFileWithoutUsableRowsIsAnError() throws IOException {
        Path f = write("empty.csv", "text,label\n");
        assertThatThrownBy(() -> train(f, DatasetFormat.single(f))).hasMessageContaining(f + ": no usable examples");
        assertThatThrownBy(() -> DatasetFormat.single(dir.resolve("data.txt"))).hasMessageContaining("data.txt");
    }

    @Test
    void labelMapRoundTripsThroughLabelsJsonAtomically() throws IOException {
        LabelMap map = LabelMap.build(List.of("pos", "neg", "neutral", "neg"));
        assertThat(map.names()).containsExactly("neg", "neutral", "pos");
        Path file = dir.resolve("out/labels.json");
        map.save(file);
        map.save(file);
        assertThat(LabelMap.load(file)).isEqualTo(map);
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
        Path broken = write("labels.json", "{\"labels\": [\"a\", \"a\"]}");
        assertThatThrownBy(() -> LabelMap.load(broken)).hasMessageContaining(broken.toString())
            .hasMessageContaining("duplicate label 'a'");
    }

    @Test
    void anOverlongLineFailsNamingFileAndLineEvenInSkipMode() throws IOException {
        Path f = write("train.tsv", "text\tlabel\nok\tpos\n" + "y".repeat((1 << 20) + 1) + "\tneg\n");
        for (boolean skip : new boolean[] {false, true}) {
            assertThatThrownBy(() -> ClassificationDataset.load(f, DatasetFormat.single(f), null, skip))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(f + ":3: line longer than 1048576 bytes (the limit; raise it with -Dminibert.maxLineBytes=BYTES)");
        }
    }

    @Test
    void aFileTooBigToHoldWholeIsRefusedBeforeReading() throws IOException {
        Path f = dir.resolve("huge.csv");
        long heap = Runtime.getRuntime().maxMemory();
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(heap / 4 + 1); // sparse: no disk, and nothing of it is read
        }
        assertThatThrownBy(() -> train(f, DatasetFormat.single(f))).isInstanceOf(IllegalArgumentException.class)
            .hasMessage(f + ": " + (heap / 4 + 1) + " bytes; a dataset is read whole and may take at most 1/4 of the "
                + heap + "-byte Java heap (" + heap / 4 + " bytes; raise -Xmx)");
    }
}

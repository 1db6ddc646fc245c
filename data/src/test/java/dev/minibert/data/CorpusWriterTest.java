package dev.minibert.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusWriterTest {

    private static SourceDocument doc(String id, String... paragraphs) {
        return new SourceDocument(id, id.substring(0, id.indexOf(':')), id.substring(id.indexOf(':') + 1), List.of(paragraphs));
    }

    @Test
    void cleanDropsThinParagraphsKeepsFirstOccurrencesAndEmptyDocuments() {
        List<SourceDocument> cleaned = CorpusWriter.clean(List.of(
                doc("a:1", "这是第一个足够长的中文段落。", "太短了", "Mostly English text 中文字不够多的"),
                doc("b:2", "这是第一个足够长的中文段落。", "第二个文件里的另一个中文段落。"),
                doc("c:3", "这是第一个足够长的中文段落。")));
        assertThat(cleaned).extracting(SourceDocument::id).containsExactly("a:1", "b:2");
        assertThat(cleaned.get(0).paragraphs()).containsExactly("这是第一个足够长的中文段落。");
        assertThat(cleaned.get(1).paragraphs()).containsExactly("第二个文件里的另一个中文段落。");
    }

    @Test
    void heldOutIsAFixedShareOfDocumentsChosenByTheirId() {
        int held = 0;
        int n = 4000;
        for (int i = 0; i < n; i++) {
            SourceDocument d = doc("pkg:file" + i, "x");
            assertThat(CorpusWriter.isHeldOut(d)).isEqualTo(CorpusWriter.isHeldOut(doc("pkg:file" + i, "y")));
            held += CorpusWriter.isHeldOut(d) ? 1 : 0;
        }
        // binomial(4000, 0.05): mean 200, sd 13.8; 5 sd either side
        assertThat(held).isBetween(131, 269);
    }

    @Test
    void writesOneSentencePerLineWithABlankLineBetweenDocumentsAndKeepsReservedTextOutOfTrain(@TempDir Path dir)
            throws Exception {
        List<SourceDocument> docs = new ArrayList<>();
        SourceDocument heldOut = null;
        for (int i = 0; heldOut == null; i++) {
            SourceDocument d = doc("pkg:held" + i, "留出的文档第一句。留出的文档第二句！");
            if (CorpusWriter.isHeldOut(d)) {
                heldOut = d;
            }
        }
        SourceDocument first = trainDoc("训练文档一的第一句。第二句？", "保留给测试集的段落文字。");
        SourceDocument second = trainDoc("训练文档二的唯一句子；还有一句");
        docs.add(first);
        docs.add(heldOut);
        docs.add(second);
        Path train = dir.resolve("train.txt");
        Path held = dir.resolve("heldout.txt");
        CorpusWriter.Counts[] counts = CorpusWriter.write(docs, Set.of("保留给测试集的段落文字。"), train, held);
        assertThat(Files.readString(train)).isEqualTo("训练文档一的第一句。\n第二句？\n\n训练文档二的唯一句子；\n还有一句\n");
        assertThat(Files.readString(held)).isEqualTo("留出的文档第一句。\n留出的文档第二句！\n");
        assertThat(counts[0]).isEqualTo(new CorpusWriter.Counts(2, 4, ChineseText.hanCount(Files.readString(train))));
        assertThat(counts[1]).isEqualTo(new CorpusWriter.Counts(1, 2, 16));
    }

    private static SourceDocument trainDoc(String... paragraphs) {
        for (int i = 0; ; i++) {
            SourceDocument d = doc("pkg:train" + i + "-" + paragraphs[0].hashCode(), paragraphs);
            if (!CorpusWriter.isHeldOut(d)) {
                return d;
            }
        }
    }
}

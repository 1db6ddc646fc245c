package dev.minibert.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabeledSplitTest {

    /** 300 "a" texts, 100 "b" texts, duplicates of some, and one text seen with both labels. */
    private static List<LabeledSplit.Row> rows() {
        List<LabeledSplit.Row> rows = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            rows.add(new LabeledSplit.Row("甲" + i, "a"));
        }
        for (int i = 0; i < 100; i++) {
            rows.add(new LabeledSplit.Row("乙" + i, "b"));
        }
        for (int i = 0; i < 50; i++) {
            rows.add(new LabeledSplit.Row("甲" + i, "a"));
        }
        rows.add(new LabeledSplit.Row("两可", "a"));
        rows.add(new LabeledSplit.Row("两可", "b"));
        return rows;
    }

    @Test
    void dedupesDropsConflictsAndCutsEveryLabel80To10To10() {
        LabeledSplit s = LabeledSplit.of(rows(), 7, 0);
        assertThat(s.conflicting()).isEqualTo(1);
        assertThat(s.labelCounts(0)).isEqualTo(Map.of("a", 240, "b", 80));
        assertThat(s.labelCounts(1)).isEqualTo(Map.of("a", 30, "b", 10));
        assertThat(s.labelCounts(2)).isEqualTo(Map.of("a", 30, "b", 10));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            for (LabeledSplit.Row r : s.split(i)) {
                assertThat(seen.add(r.text())).as("%s is in one split only", r.text()).isTrue();
                assertThat(r.text()).isNotEqualTo("两可");
            }
        }
        assertThat(seen).hasSize(400);
    }

    @Test
    void theSeedAloneDecidesTheSplitNotTheInputOrder() {
        List<LabeledSplit.Row> reversed = new ArrayList<>(rows());
        java.util.Collections.reverse(reversed);
        LabeledSplit a = LabeledSplit.of(rows(), 7, 0);
        LabeledSplit b = LabeledSplit.of(reversed, 7, 0);
        LabeledSplit c = LabeledSplit.of(rows(), 8, 0);
        for (int i = 0; i < 3; i++) {
            assertThat(b.split(i)).isEqualTo(a.split(i));
        }
        assertThat(c.split(2)).isNotEqualTo(a.split(2));
    }

    @Test
    void balancedSubsampleTakesAsManyOfEveryLabel() {
        LabeledSplit s = LabeledSplit.of(rows(), 7, 50);
        assertThat(s.labelCounts(0)).isEqualTo(Map.of("a", 40, "b", 40));
        assertThat(s.labelCounts(1)).isEqualTo(Map.of("a", 5, "b", 5));
        assertThatThrownBy(() -> LabeledSplit.of(rows(), 7, 101)).hasMessageContaining("label b has 100 distinct texts");
    }

    @Test
    void writesJsonlWithTextAndLabel(@TempDir Path dir) throws Exception {
        LabeledSplit s = LabeledSplit.of(rows(), 7, 0);
        s.write(dir.resolve("set"));
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(dir.resolve("set/dev.jsonl"));
        assertThat(lines).hasSize(40);
        JsonNode first = json.readTree(lines.get(0));
        assertThat(first.size()).isEqualTo(2);
        assertThat(new LabeledSplit.Row(first.get("text").asText(), first.get("label").asText())).isEqualTo(s.split(1).get(0));
        assertThat(dir.resolve("set/train.jsonl")).exists();
        assertThat(dir.resolve("set/test.jsonl")).exists();
    }
}

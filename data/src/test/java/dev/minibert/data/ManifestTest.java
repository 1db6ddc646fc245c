package dev.minibert.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {

    @Test
    void recordsSizeSha256AndCountsAndSaysWhenAPartIsCurrent(@TempDir Path cache) throws Exception {
        Files.createDirectories(cache.resolve("corpus"));
        Path txt = Files.writeString(cache.resolve("corpus/train.txt"), "一\n二\n\n三\n");
        Path jsonl = Files.writeString(cache.resolve("corpus/x.jsonl"), "{\"text\":\"a\",\"label\":\"b\"}\n");
        Manifest m = Manifest.read(cache);
        ObjectNode part = m.newPart("corpus", "recipe 1");
        Manifest.addFile(part, cache, txt);
        Manifest.addFile(part, cache, jsonl);
        m.write(cache);

        Manifest again = Manifest.read(cache);
        JsonNode f = again.part("corpus").path("files").path("corpus/train.txt");
        assertThat(f.path("size").asLong()).isEqualTo(13); // 3 three-byte characters and 4 newlines
        // sha256 of the same bytes, computed by the JDK here
        assertThat(f.path("sha256").asText()).isEqualTo(java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(txt))));
        assertThat(f.path("lines").asLong()).isEqualTo(4);
        assertThat(again.part("corpus").path("files").path("corpus/x.jsonl").path("rows").asLong()).isEqualTo(1);
        assertThat(again.isCurrent(cache, "corpus", "recipe 1")).isTrue();
        assertThat(again.isCurrent(cache, "corpus", "recipe 2")).as("another recipe").isFalse();
        assertThat(again.isCurrent(cache, "labeled", "recipe 1")).as("a part never built").isFalse();

        Files.writeString(txt, "一\n二\n\n四\n"); // same size, other content
        assertThat(again.isCurrent(cache, "corpus", "recipe 1")).isFalse();
        Files.delete(txt);
        assertThat(again.isCurrent(cache, "corpus", "recipe 1")).isFalse();
        try (var files = Files.list(cache)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("corpus", Manifest.FILE);
        }
    }

    @Test
    void aDamagedManifestIsAnErrorNamingIt(@TempDir Path cache) throws Exception {
        Files.writeString(cache.resolve(Manifest.FILE), "{ not json");
        assertThatThrownBy(() -> Manifest.read(cache)).isInstanceOf(FetchException.class)
                .hasMessageContaining(cache.resolve(Manifest.FILE).toString()).hasMessageContaining("delete it");
    }

    @Test
    void aJsonFileMinibertDidNotWriteIsNotTakenForAManifest(@TempDir Path cache) throws Exception {
        Files.writeString(cache.resolve(Manifest.FILE), "{\"name\": \"someone else's\"}");
        assertThatThrownBy(() -> Manifest.read(cache))
                .hasMessageStartingWith(cache.resolve(Manifest.FILE) + ": not a minibert data manifest");
    }

    @Test
    void anOldCacheWithBothLabeledSetsInOnePartIsSplitAndStaysCurrent(@TempDir Path cache) throws Exception {
        Path topic = Files.createDirectories(cache.resolve("labeled/libreoffice-topic")).resolve("train.jsonl");
        Path poetry = Files.createDirectories(cache.resolve("labeled/poetry-dynasty")).resolve("train.jsonl");
        Files.writeString(topic, "{\"text\":\"帮助\",\"label\":\"shared\"}\n");
        Files.writeString(poetry, "{\"text\":\"春眠\",\"label\":\"tang\"}\n");
        Manifest m = Manifest.read(cache);
        ObjectNode old = m.newPart("labeled", "labeled v1 seed=7 poetry-rows=20");
        old.putArray("packages").addObject().put("registry", "debian").put("name", "libreoffice-help-zh-cn")
                .put("version", "4:7.4.7-1").put("file", "l.deb").put("size", 3).put("sha256", "ab".repeat(32));
        ((com.fasterxml.jackson.databind.node.ArrayNode) old.get("packages")).addObject().put("registry", "npm")
                .put("name", "chinese-poetry").put("version", "2.0.1").put("file", "c.tgz").put("size", 4)
                .put("sha256", "cd".repeat(32));
        old.putObject("stats").putObject("poetry-dynasty").put("balanced_rows", 20);
        Manifest.addFile(old, cache, topic);
        Manifest.addFile(old, cache, poetry);
        m.write(cache);

        Manifest split = Manifest.read(cache);
        assertThat(split.part("labeled").isMissingNode()).isTrue();
        assertThat(split.isCurrent(cache, "labeled/libreoffice-topic", "libreoffice-topic v1 seed=7")).isTrue();
        assertThat(split.isCurrent(cache, "labeled/poetry-dynasty", "poetry-dynasty v1 seed=7 rows=20")).isTrue();
        assertThat(split.packages("labeled/poetry-dynasty")).extracting(PackageRecord::name).containsExactly("chinese-poetry");
        assertThat(split.packages("labeled/libreoffice-topic")).extracting(PackageRecord::name)
                .containsExactly("libreoffice-help-zh-cn");
        assertThat(split.part("labeled/poetry-dynasty").path("stats").path("balanced_rows").asInt()).isEqualTo(20);
        assertThat(split.lists("labeled/libreoffice-topic/train.jsonl")).isTrue();
        assertThat(split.lists("labeled/libreoffice-topic/notes.txt")).isFalse();
    }
}

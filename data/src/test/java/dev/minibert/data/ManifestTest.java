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
}

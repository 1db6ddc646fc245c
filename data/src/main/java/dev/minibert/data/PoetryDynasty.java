package dev.minibert.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code poetry-dynasty}: Tang vs Song poems from the npm package chinese-poetry (quantangshi, traditional script),
 * the poem's lines joined as the text, the dynasty (from the file name, poet.tang.N.json / poet.song.N.json) as the
 * label. About 4.4 Song poems per Tang one, hence the balanced subsample by default.
 */
public final class PoetryDynasty {
    public static final String NAME = "poetry-dynasty";
    public static final String PACKAGE = "chinese-poetry@2.0.1";
    public static final String TGZ = "chinese-poetry-2.0.1.tgz";
    /** The poems inside the tgz (tar wildcards; error/ holds known-bad duplicates and is left out). */
    static final String POEMS = "package/dist/quantangshi/poet.*.json";
    /** Rows of the default balanced subsample (half Tang, half Song); 0 asks for every poem. */
    public static final int DEFAULT_ROWS = 20_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private PoetryDynasty() {
    }

    /** Rows from the unpacked package's poem files (every file under {@code dir} named poet.tang.* or poet.song.*). */
    public static List<LabeledSplit.Row> rows(Path dir) {
        List<LabeledSplit.Row> rows = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                String name = f.getFileName().toString();
                String label = name.startsWith("poet.tang.") ? "tang" : name.startsWith("poet.song.") ? "song" : null;
                if (label == null) {
                    continue;
                }
                JsonNode poems = JSON.readTree(f.toFile());
                if (!poems.isArray()) {
                    throw new FetchException(f + ": expected a JSON array of poems; the package changed");
                }
                for (JsonNode poem : poems) {
                    StringBuilder text = new StringBuilder();
                    poem.path("paragraphs").forEach(line -> text.append(line.asText().strip()));
                    if (ChineseText.hanCount(text.toString()) > 0) {
                        rows.add(new LabeledSplit.Row(text.toString(), label));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot read the poems", e);
        }
        return rows;
    }
}

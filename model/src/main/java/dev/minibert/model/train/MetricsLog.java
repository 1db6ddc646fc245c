package dev.minibert.model.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.model.io.AtomicFiles;
import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A run's {@code metrics.jsonl}: one JSON row per line, appended as training goes, cut back on resume. */
final class MetricsLog implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsLog.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Writer out;

    MetricsLog(Path file) throws IOException {
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    void write(Map<String, Object> row) throws IOException {
        String line = JSON.writeValueAsString(row) + "\n";
        if (row.containsKey("loss") && String.valueOf(row.get("step"))
                .equals(System.getProperty(TrainingLoop.CRASH_METRICS_PROPERTY))) {
            out.write(line, 0, line.length() / 2);
            out.flush();
            Runtime.getRuntime().halt(137); // simulate a kill mid-write: a torn last line remains
        }
        out.write(line);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /**
     * Keeps the rows up to {@code step} so the file reads as one uninterrupted run. A last line without
     * its newline was torn by a kill mid-write: it is dropped with a warning, not trusted; any other line
     * that is not JSON means the file was damaged otherwise, and is an error. Rewritten atomically.
     */
    static void cutBack(Path file, long step) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        StringBuilder kept = new StringBuilder();
        boolean changed = false;
        int lineNo = 0;
        for (int start = 0; start < text.length(); ) {
            lineNo++;
            int end = text.indexOf('\n', start);
            if (end < 0) {
                LOG.warn("{}:{}: dropped a torn last line (the run was stopped while writing it)", file, lineNo);
                changed = true;
                break;
            }
            String line = text.substring(start, end);
            start = end + 1;
            JsonNode row;
            try {
                row = line.isBlank() ? null : JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new IOException(file + ":" + lineNo + ": not a JSON row (" + e.getOriginalMessage() + ")");
            }
            if (row != null && row.path("step").asLong(Long.MAX_VALUE) <= step) {
                kept.append(line).append('\n');
            } else {
                changed = true;
            }
        }
        if (changed) {
            AtomicFiles.write(file, kept.toString().getBytes(StandardCharsets.UTF_8));
        }
    }
}

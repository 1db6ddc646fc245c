package dev.minibert.data;

import java.util.List;

/**
 * One file of one package as paragraphs: the unit of the train/held-out split and of the corpus's documents.
 *
 * @param id {@code package:path}, stable across runs, which is what the split hashes
 */
public record SourceDocument(String id, String packageName, String path, List<String> paragraphs) {
}

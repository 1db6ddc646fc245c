package dev.minibert.finetune;

/**
 * One labelled example.
 *
 * @param textB null for single-sentence tasks
 * @param line  1-based line of the file where the record starts
 */
public record Example(String textA, String textB, int label, int line) {
}

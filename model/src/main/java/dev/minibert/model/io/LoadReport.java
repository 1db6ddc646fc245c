package dev.minibert.model.io;

import java.util.List;

/** What loading a model directory did beyond copying tensors: fresh parameters and unused file tensors. */
public record LoadReport(List<String> initializedFresh, List<String> unused) {
    public LoadReport {
        initializedFresh = List.copyOf(initializedFresh);
        unused = List.copyOf(unused);
    }
}

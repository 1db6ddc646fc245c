package dev.minibert.model;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The tokens whose last hidden state a caller reads (each sequence's [CLS] for the pooler, the masked positions for
 * the MLM loss): rows b·T + t of the token rows [B·T, W], ascending, M of them. The last layer computes every token's
 * key and value but queries and all after them for these rows alone. The attention's batched products want the same
 * number of query rows in every sequence, so its queries are laid out padded, Q = the most any sequence has, row
 * b·Q + j the j-th selected token of sequence b; a sequence's padding rows repeat its first token's query, and their
 * context is never read, so their gradients are zero.
 */
final class SelectedTokens {
    private final int batch;
    private final int seqLen;
    private final int[] rows;        // ascending, into [B·T]
    private final int perSequence;   // Q
    private final int[] paddedRows;  // where row i lies in the padded layout [B·Q]
    private final int[] queryRows;   // the token row each padded row's query is taken from, [B·Q]

    private SelectedTokens(int batch, int seqLen, int[] rows) {
        this.batch = batch;
        this.seqLen = seqLen;
        this.rows = rows;
        int[] counts = new int[batch];
        for (int row : rows) {
            counts[row / seqLen]++;
        }
        perSequence = Math.max(1, Arrays.stream(counts).max().orElse(0));
        paddedRows = new int[rows.length];
        queryRows = new int[batch * perSequence];
        for (int b = 0; b < batch; b++) {
            Arrays.fill(queryRows, b * perSequence, (b + 1) * perSequence, b * seqLen);
        }
        int[] filled = new int[batch];
        for (int i = 0; i < rows.length; i++) {
            int b = rows[i] / seqLen;
            paddedRows[i] = b * perSequence + filled[b]++;
            queryRows[paddedRows[i]] = rows[i];
        }
    }

    /**
     * rows: strictly ascending indices b·T + t into a batch of B sequences of T tokens, at least one; checked, the
     * first bad one named.
     */
    static SelectedTokens of(int batch, int seqLen, int[] rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("no rows selected: nothing to compute");
        }
        long tokens = (long) batch * seqLen;
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] < 0 || rows[i] >= tokens) {
                throw new IllegalArgumentException("rows[" + i + "] = " + rows[i] + " is outside the batch's " + tokens
                        + " token rows (" + batch + " x " + seqLen + ")");
            }
            if (i > 0 && rows[i] <= rows[i - 1]) {
                throw new IllegalArgumentException("rows must ascend: rows[" + i + "] = " + rows[i] + " after "
                        + rows[i - 1]);
            }
        }
        return new SelectedTokens(batch, seqLen, rows.clone());
    }

    /** Each sequence's first token, row b·T. */
    static SelectedTokens firstTokens(int batch, int seqLen) {
        int[] rows = new int[batch];
        Arrays.setAll(rows, b -> b * seqLen);
        return new SelectedTokens(batch, seqLen, rows);
    }

    int batch() {
        return batch;
    }

    int seqLen() {
        return seqLen;
    }

    /** The selected rows b·T + t, ascending (the caller's array: not to be written). */
    int[] rows() {
        return rows;
    }

    int count() {
        return rows.length;
    }

    /** Q: query rows per sequence in the padded layout. */
    int perSequence() {
        return perSequence;
    }

    /** Whether the padded layout has rows of its own (else it is the selected rows' order itself: Q rows each). */
    boolean padded() {
        return rows.length != queryRows.length;
    }

    /** The padded queries [B·Q, width]: row p = columns [0, width) of tokens' row queryRows[p] ([B·T, ≥ width]). */
    void gatherQueries(INDArray tokens, INDArray queries) {
        copyRows(tokens, queryRows, queries, null, (int) queries.columns());
    }

    /** The selected rows of the padded layout [B·Q, W] into compact [M, W]. */
    void compact(INDArray padded, INDArray compact) {
        copyRows(padded, paddedRows, compact, null, (int) compact.columns());
    }

    /** Compact [M, W] into the padded layout [B·Q, W], its padding rows zero. */
    void pad(INDArray compact, INDArray padded) {
        padded.assign(0);
        copyRows(compact, null, padded, paddedRows, (int) compact.columns());
    }

    /**
     * The queries' gradients, padded [B·Q, width], into columns [0, width) of the token rows' gradient [B·T, ≥ width]:
     * the selected rows get theirs, every other token zero (it asked no query).
     */
    void scatterQueryGrads(INDArray padded, INDArray tokens) {
        int width = (int) padded.columns();
        FlatView to = FlatView.of(tokens);
        int stride = (int) tokens.columns();
        double[] zeros = new double[width];
        for (int n = 0; n < batch * seqLen; n++) {
            to.write(n * stride, zeros);
        }
        copyRows(FlatView.of(padded), width, paddedRows, to, stride, rows, width);
    }

    /** to row toRows[i] (i itself where null) = columns [0, width) of from row fromRows[i] (i where null). */
    private static void copyRows(INDArray from, int[] fromRows, INDArray to, int[] toRows, int width) {
        copyRows(FlatView.of(from), (int) from.columns(), fromRows, FlatView.of(to), (int) to.columns(), toRows, width);
    }

    private static void copyRows(FlatView from, int fromStride, int[] fromRows, FlatView to, int toStride,
                                 int[] toRows, int width) {
        int count = fromRows != null ? fromRows.length : toRows.length;
        for (int i = 0; i < count; i++) {
            int source = fromRows == null ? i : fromRows[i];
            int target = toRows == null ? i : toRows[i];
            from.copyTo(source * fromStride, to, target * toStride, width);
        }
    }
}

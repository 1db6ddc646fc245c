/**
 * The BERT encoder with explicit forward and backward passes, one class per HuggingFace module
 * ({@code modeling_bert.py}), each written as its math; the loops that make the math fast live behind
 * {@link dev.minibert.model.kernels.Kernels}.
 * <p>
 * Shapes in comments use one letter per meaning, everywhere:
 * <pre>
 *   B  batch size (sequences per step)
 *   T  sequence length (tokens per sequence, padding included)
 *   N  token rows, N = B·T; an activation [N,H] holds token t of sequence b in row b·T + t
 *   H  hidden size
 *   A  attention heads
 *   d  head size, d = H / A
 *   I  intermediate (feed-forward) size
 *   V  vocabulary size
 *   M  masked token rows scored by the MLM head
 *   C  classes of a classifier
 * </pre>
 * A gradient is named after what it is the gradient of: {@code dx} is ∂loss/∂x. A backward method restates, above
 * each step, the forward line it inverts.
 */
package dev.minibert.model;

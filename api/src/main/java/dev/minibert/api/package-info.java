/**
 * minibert as a Java library.
 *
 * <p>{@link dev.minibert.api.Encoder} loads a model directory ({@code config.json}, {@code vocab.txt},
 * {@code model.safetensors}), tokenizes and embeds text; {@link dev.minibert.api.Classifier} loads a finetuned
 * directory (with {@code labels.json}) and classifies texts; {@link dev.minibert.api.Pretrain} and
 * {@link dev.minibert.api.Finetune} train, with the {@code minibert pretrain} and {@code minibert finetune}
 * commands' defaults. Each entry point sets ND4J's threads and checks the BLAS before it computes, as the CLI does.
 */
package dev.minibert.api;

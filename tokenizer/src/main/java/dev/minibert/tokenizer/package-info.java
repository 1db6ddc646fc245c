/**
 * BERT tokenization in pure Java, as HF tokenizers' pipeline: {@link dev.minibert.tokenizer.BasicTokenizer}
 * (normalizer + pre-tokenizer: clean text, isolate CJK and punctuation, optional lower-casing and accent
 * stripping), {@link dev.minibert.tokenizer.WordpieceTokenizer} (the model), and
 * {@link dev.minibert.tokenizer.BertTokenizer} (post-processor: {@code [CLS] a [SEP] b [SEP]}, truncation,
 * padding, offsets, decoding). {@link dev.minibert.tokenizer.WordpieceTrainer} learns a
 * {@link dev.minibert.tokenizer.Vocab}. Outputs match HF tokenizers id for id and offset for offset; offsets
 * are UTF-16 indices into the caller's string.
 */
package dev.minibert.tokenizer;

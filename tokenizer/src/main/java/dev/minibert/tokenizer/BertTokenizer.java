package dev.minibert.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;

/**
 * BERT's full tokenizer: {@link BasicTokenizer} then {@link WordpieceTokenizer}, plus the encoding
 * HF's BertProcessing does ({@code [CLS] a [SEP] b [SEP]}, token types, masks, offsets), truncation,
 * padding and decoding. Thread-safe.
 */
public final class BertTokenizer {
    private final Vocab vocab;
    private final boolean lowercase;
    private final BasicTokenizer basic;
    private final WordpieceTokenizer wordpiece;

    public BertTokenizer(Vocab vocab, boolean lowercase) {
        this.vocab = vocab;
        this.lowercase = lowercase;
        this.basic = new BasicTokenizer(lowercase, new HashSet<>(Vocab.SPECIAL_TOKENS));
        this.wordpiece = new WordpieceTokenizer(vocab);
    }

    public Vocab vocab() {
        return vocab;
    }

    public boolean lowercase() {
        return lowercase;
    }

    /** The WordPiece tokens of {@code text}, without specials added. */
    public List<String> tokenize(String text) {
        TokenBuffer buffer = pieces(text);
        List<String> tokens = new ArrayList<>(buffer.size);
        for (int i = 0; i < buffer.size; i++) {
            tokens.add(vocab.token(buffer.ids[i]));
        }
        return tokens;
    }

    /** Ids of the tokens; a token not in the vocab maps to {@code [UNK]}. */
    public int[] convertTokensToIds(List<String> tokens) {
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            int id = vocab.id(tokens.get(i));
            ids[i] = id < 0 ? vocab.unkId() : id;
        }
        return ids;
    }

    /** Token ids and their spans in {@code text}, without specials added. */
    TokenBuffer pieces(String text) {
        TokenBuffer out = new TokenBuffer();
        basic.tokenize(text, (chars, starts, ends, length, special) -> {
            if (special) {
                out.add(vocab.id(new String(chars, 0, length)), starts[0], ends[length - 1]);
            } else {
                wordpiece.appendPieces(chars, starts, ends, length, out);
            }
        });
        return out;
    }

    public Encoding encode(String a) {
        return encode(a, null, EncodeOptions.NONE);
    }

    public Encoding encode(String a, String b) {
        return encode(a, b, EncodeOptions.NONE);
    }

    public Encoding encode(String a, String b, EncodeOptions options) {
        Encoding e = encodeUnpadded(a, b, options);
        return switch (options.padding()) {
            case MAX_LENGTH -> pad(e, options.maxLength());
            case NONE, LONGEST -> e;
        };
    }

    /** Encodes rows of a (and b, if not null); {@link EncodeOptions.Padding#LONGEST} pads to the batch's longest. */
    public List<Encoding> encodeBatch(List<String> a, List<String> b, EncodeOptions options) {
        if (b != null && b.size() != a.size()) {
            throw new IllegalArgumentException("batch has " + a.size() + " first texts but " + b.size() + " second texts");
        }
        List<Encoding> out = new ArrayList<>(a.size());
        int longest = 0;
        for (int i = 0; i < a.size(); i++) {
            Encoding e = encodeUnpadded(a.get(i), b == null ? null : b.get(i), options);
            longest = Math.max(longest, e.length());
            out.add(e);
        }
        int target = switch (options.padding()) {
            case NONE -> -1;
            case MAX_LENGTH -> options.maxLength();
            case LONGEST -> longest;
        };
        if (target >= 0) {
            out.replaceAll(e -> pad(e, target));
        }
        return out;
    }

    private Encoding encodeUnpadded(String a, String b, EncodeOptions options) {
        TokenBuffer first = pieces(a);
        TokenBuffer second = b == null ? null : pieces(b);
        if (options.maxLength() != null && options.truncation() != EncodeOptions.Truncation.NONE) {
            truncate(first, second, options.maxLength(), options.truncation());
        }
        int n = 2 + first.size + (second == null ? 0 : second.size + 1);
        int[] ids = new int[n];
        int[] types = new int[n];
        int[] attention = new int[n];
        int[] special = new int[n];
        int[][] offsets = new int[n][];
        Arrays.fill(attention, 1);
        int pos = 0;
        pos = putSpecial(vocab.clsId(), 0, pos, ids, types, special, offsets);
        pos = putSequence(first, 0, pos, ids, types, offsets);
        pos = putSpecial(vocab.sepId(), 0, pos, ids, types, special, offsets);
        if (second != null) {
            pos = putSequence(second, 1, pos, ids, types, offsets);
            putSpecial(vocab.sepId(), 1, pos, ids, types, special, offsets);
        }
        return new Encoding(tokens(ids), ids, types, attention, special, offsets);
    }

    private static int putSpecial(int id, int type, int pos, int[] ids, int[] types, int[] special, int[][] offsets) {
        ids[pos] = id;
        types[pos] = type;
        special[pos] = 1;
        offsets[pos] = new int[] {0, 0};
        return pos + 1;
    }

    private static int putSequence(TokenBuffer seq, int type, int pos, int[] ids, int[] types, int[][] offsets) {
        for (int i = 0; i < seq.size; i++, pos++) {
            ids[pos] = seq.ids[i];
            types[pos] = type;
            offsets[pos] = new int[] {seq.starts[i], seq.ends[i]};
        }
        return pos;
    }

    /** HF tokenizers' {@code truncate_encodings}: the budget is maxLength minus the specials. */
    private static void truncate(TokenBuffer a, TokenBuffer b, int maxLength, EncodeOptions.Truncation strategy) {
        int specials = b == null ? 2 : 3;
        int budget = maxLength - specials;
        if (budget < 0) {
            throw new IllegalArgumentException("maxLength " + maxLength + " cannot hold the " + specials + " special tokens");
        }
        int total = a.size + (b == null ? 0 : b.size);
        if (total <= budget) {
            return;
        }
        switch (strategy) {
            case LONGEST_FIRST -> {
                if (b == null) {
                    a.truncate(budget);
                    return;
                }
                // the shorter keeps all it can; if both must shrink they share the budget, the longer
                // one (b on a tie) taking the odd token
                boolean swap = a.size > b.size;
                int n1 = swap ? b.size : a.size;
                int n2;
                if (n1 > budget) {
                    n2 = n1;
                } else {
                    n2 = Math.max(n1, budget - n1);
                }
                if (n1 + n2 > budget) {
                    n1 = budget / 2;
                    n2 = n1 + budget % 2;
                }
                a.truncate(swap ? n2 : n1);
                b.truncate(swap ? n1 : n2);
            }
            case ONLY_FIRST, ONLY_SECOND -> {
                TokenBuffer target = strategy == EncodeOptions.Truncation.ONLY_FIRST ? a : b;
                if (target == null) {
                    throw new IllegalArgumentException("truncation ONLY_SECOND needs a second text: " + total
                            + " tokens exceed maxLength " + maxLength);
                }
                int remove = total - budget;
                if (target.size <= remove) {
                    throw new IllegalArgumentException("truncation " + strategy + " cannot reach maxLength " + maxLength
                            + ": that sequence has " + target.size + " tokens but " + remove + " must go");
                }
                target.truncate(target.size - remove);
            }
            case NONE -> {
            }
        }
    }

    private Encoding pad(Encoding e, int length) {
        int n = e.length();
        if (n >= length) {
            return e;
        }
        int[] ids = Arrays.copyOf(e.inputIds(), length);
        Arrays.fill(ids, n, length, vocab.padId());
        int[] special = Arrays.copyOf(e.specialTokensMask(), length);
        Arrays.fill(special, n, length, 1);
        int[][] offsets = Arrays.copyOf(e.offsets(), length);
        for (int i = n; i < length; i++) {
            offsets[i] = new int[] {0, 0};
        }
        return new Encoding(tokens(ids), ids, Arrays.copyOf(e.tokenTypeIds(), length),
                Arrays.copyOf(e.attentionMask(), length), special, offsets);
    }

    private List<String> tokens(int[] ids) {
        String[] tokens = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            tokens[i] = vocab.token(ids[i]);
        }
        return List.of(tokens);
    }

    /**
     * Text from ids: {@code ##} pieces join their predecessor, CJK characters and CJK/full-width
     * punctuation join without spaces, other words are separated by one space, and spaces before
     * {@code . , ! ?} and English contractions are removed as HF's {@code clean_up_tokenization} does.
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        StringBuilder out = new StringBuilder();
        String previous = null;
        for (int id : ids) {
            if (skipSpecialTokens && vocab.isSpecial(id)) {
                continue;
            }
            String token = vocab.token(id);
            if (token.startsWith(PieceTable.CONTINUATION) && token.length() > PieceTable.CONTINUATION.length()) {
                out.append(token, PieceTable.CONTINUATION.length(), token.length());
            } else {
                if (previous != null && !(joinsWithoutSpace(previous.codePointBefore(previous.length()))
                        || joinsWithoutSpace(token.codePointAt(0)))) {
                    out.append(' ');
                }
                out.append(token);
            }
            previous = token;
        }
        return cleanUp(out.toString());
    }

    private static boolean joinsWithoutSpace(int cp) {
        return BertCharacters.isChineseChar(cp)
                || (cp >= 0x3000 && cp <= 0x303F) // CJK symbols and punctuation
                || (cp >= 0xFF00 && cp <= 0xFFEF); // full-width forms
    }

    private static final String[][] CLEAN_UP = {
            {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"}, {" 'm", "'m"},
            {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};

    private static String cleanUp(String text) {
        for (String[] rule : CLEAN_UP) {
            if (text.contains(rule[0])) {
                text = text.replace(rule[0], rule[1]);
            }
        }
        return text;
    }
}

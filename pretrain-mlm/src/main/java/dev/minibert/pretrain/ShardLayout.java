package dev.minibert.pretrain;

/**
 * Where things are in one shard (Megatron/fairseq style, little-endian, no headers: the manifest holds the rest).
 * The tokens file is the shard's token ids back to back ({@code tokenBytes} each). The index file holds, for n
 * instances: {@code int64 offset[n + 1]} (instance i is tokens [offset[i], offset[i+1])), {@code int32 bStart[n]}
 * (where the B segment begins, token type 1 from there; the length when there is none), {@code uint8 flags[n]}
 * (bit 0: B is a random next sentence), and one word-start bit per token, token t at bit {@code t % 8} of byte
 * {@code t / 8}.
 */
record ShardLayout(int instances, long tokens, int tokenBytes) {
    /** Tokens per shard at most: keeps both files under 2 GB (one FileChannel.map each) at int32 ids. */
    static final long MAX_TOKENS = 400_000_000L;

    long tokensBytes() {
        return tokens * tokenBytes;
    }

    long offsetAt(int i) {
        return 8L * i;
    }

    long bStartAt(int i) {
        return 8L * (instances + 1) + 4L * i;
    }

    long flagsAt(int i) {
        return 8L * (instances + 1) + 4L * instances + i;
    }

    long wordStartByte(long token) {
        return 8L * (instances + 1) + 5L * instances + token / 8;
    }

    long indexBytes() {
        return wordStartByte(0) + (tokens + 7) / 8;
    }
}

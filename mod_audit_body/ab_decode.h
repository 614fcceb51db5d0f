/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_decode: a bomb-safe streaming decoder for one body direction (pure:
 * APR, zlib and libbrotlidec only; it never logs).
 *
 * Owns the decoder state (zlib or brotli, through a counting allocator
 * with a hard ceiling) and one fixed output chunk of AB_DECODE_CHUNK
 * bytes, allocated once. It is fed the encoded bytes as they stream past,
 * in any split, and hands the decoded bytes to a callback. It stops for
 * good, releasing the decoder at once, at the cap, at the ratio limit, on
 * a corrupt stream, on a memory refusal, or for an unsupported coding;
 * after that it only counts the encoded bytes. Nothing grows with the size
 * of the body.
 */
#ifndef AB_DECODE_H
#define AB_DECODE_H

#include <apr_pools.h>

/** Content codings, as bits so a configuration can keep a set of them. */
#define AB_CODING_IDENTITY    0   /**< no coding: nothing to decode */
#define AB_CODING_GZIP        1   /**< gzip and x-gzip */
#define AB_CODING_DEFLATE     2   /**< deflate: zlib-wrapped or raw */
#define AB_CODING_BR          4   /**< brotli (RFC 7932) */
#define AB_CODING_UNSUPPORTED 8   /**< anything else, or a chain */

/** Size of the one output chunk; also the ratio slack (see below). */
#define AB_DECODE_CHUNK 8192

/**
 * The ratio check is decoded <= ratio * consumed + AB_DECODE_RATIO_SLACK,
 * where consumed is the encoded bytes the decoder has taken so far. The
 * slack is one output chunk, so a first chunk made of headers and a few
 * bytes of data (a gzip header alone is 10 bytes) is never judged.
 */
#define AB_DECODE_RATIO_SLACK AB_DECODE_CHUNK

/** The default ratio limit (AuditBodyDecodeRatio). */
#define AB_DECODE_RATIO_DEFAULT 100

/**
 * The default memory ceiling of one decoder, in bytes requested by zlib
 * or brotli (the state, windows and tables; the output chunk is apart).
 * Measured with zlib 1.2.13 and libbrotli 1.0.9 (bench/decode_bomb.sh):
 * inflate takes 39928 bytes for any stream (its state and a 32 KiB
 * window). Brotli sizes its ring buffer to the smaller of the window
 * (1 << lgwin, up to 16 MiB at RFC 7932's lgwin 24) and the power of two
 * above the output so far plus the current meta-block, and holds old and
 * new buffer while growing it: 92 KB for a 64 KiB body at any window,
 * 554 KB for 512 KiB, 813 KB at lgwin 19 (ngx_brotli's default window)
 * for any size, 1.6 MB at lgwin 20, 6.3 MB at lgwin 22 for 4 MiB. So 1 MiB
 * + 64 KiB decodes bodies up to 512 KiB at any window and bodies of any
 * size at lgwin 19 or less; others stop with AB_DECODE_MEMORY, as does a
 * lgwin 24 bomb before it writes a byte. The ceiling also bounds the
 * Huffman tables a hostile stream can ask for.
 */
#define AB_DECODE_MEM_DEFAULT (1024 * 1024 + 64 * 1024)

/** Why a decoder stopped early (0 while it runs or when it finished). */
typedef enum {
    AB_DECODE_OK = 0,       /**< running, or finished without stopping */
    AB_DECODE_CAP,          /**< "cap": more decoded bytes than the cap */
    AB_DECODE_RATIO,        /**< "ratio": decoded/encoded over the limit */
    AB_DECODE_ERROR,        /**< "error": corrupt stream */
    AB_DECODE_UNSUPPORTED,  /**< "unsupported": unknown coding or chain */
    AB_DECODE_MEMORY        /**< "memory": the ceiling refused memory */
} ab_decode_reason_e;

/* On "error" the bytes handed over so far are kept. zlib hands over all
 * it decoded before the error; brotli drops what it decoded but had not
 * yet written out, so how much of the prefix survives can depend on how
 * the input was chunked. */

/** Receives decoded bytes, in order; data is valid only for the call. */
typedef void (*ab_decode_sink_fn)(void *baton, const char *data,
                                  apr_size_t n);

typedef struct ab_decode_t ab_decode_t;

/**
 * The coding of a Content-Encoding value: AB_CODING_IDENTITY for NULL, an
 * empty value or "identity"; GZIP for "gzip" or "x-gzip"; DEFLATE; BR;
 * AB_CODING_UNSUPPORTED for anything else. Names are case-insensitive,
 * with optional whitespace and empty list elements around them.
 * "identity" elements are ignored; two or more other codings (a chain
 * such as "gzip, br") are AB_CODING_UNSUPPORTED: servers practically never
 * send them, and decoding two would double the memory ceiling.
 */
int ab_decode_coding(const char *content_encoding);

/** The name of one coding bit ("gzip", "deflate", "br"), else NULL. */
const char *ab_decode_coding_name(int coding);

/**
 * A decoder for coding (a single AB_CODING_* value other than IDENTITY;
 * UNSUPPORTED gives a decoder already stopped with that reason), allocated
 * from p with its output chunk. Decoded bytes go to sink(baton, ...),
 * never more than cap in all. ratio is the ratio limit (0: none);
 * mem_ceiling bounds what the decoder library may allocate (malloc'ed
 * outside p, and freed when the decoder stops, finishes, or p is cleared).
 */
ab_decode_t *ab_decode_create(apr_pool_t *p, int coding, apr_size_t cap,
                              unsigned int ratio, apr_size_t mem_ceiling,
                              ab_decode_sink_fn sink, void *baton);

/**
 * Feed the next n encoded bytes. They are counted in any state; they are
 * decoded only while the decoder runs. Returns non-zero while it still
 * wants bytes (not stopped, finished, or past the end of the stream).
 */
int ab_decode_feed(ab_decode_t *d, const char *data, apr_size_t n);

/** The body ended: release the decoder; ab_decode_complete() tells
 *  whether the end of the encoded stream was seen. Idempotent. */
void ab_decode_finish(ab_decode_t *d);

/** Every encoded byte fed. */
apr_uint64_t ab_decode_encoded(const ab_decode_t *d);

/** The decoded bytes handed to the sink (at most the cap). */
apr_uint64_t ab_decode_decoded(const ab_decode_t *d);

/** Encoded bytes fed after the end of the stream (ignored, not decoded). */
apr_uint64_t ab_decode_trailing(const ab_decode_t *d);

/** Non-zero once the decoder will decode nothing more: it stopped, the
 *  stream ended, or ab_decode_finish() was called. */
int ab_decode_done(const ab_decode_t *d);

/** Why it stopped early, AB_DECODE_OK if it did not. */
ab_decode_reason_e ab_decode_reason(const ab_decode_t *d);

/** The reason as the record spells it ("cap", ...), NULL for OK. */
const char *ab_decode_reason_name(ab_decode_reason_e reason);

/** Non-zero when the end of the encoded stream was seen (for gzip: the
 *  last member started has ended) and all of it was handed over; an early
 *  stop or a body cut short leaves it 0. */
int ab_decode_complete(const ab_decode_t *d);

/** The most memory the decoder library held at once, in bytes. */
apr_size_t ab_decode_mem_peak(const ab_decode_t *d);

#endif /* AB_DECODE_H */
